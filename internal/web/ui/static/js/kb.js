// Knowledge base in two places: the ticket page's panel (search articles,
// put a link or the text into the reply) and the request form's suggestions
// (articles that may answer what the customer is typing). Both fetch
// server-rendered fragments: the server escapes everything in them.
import { csrf } from './util.js';

async function fragment(url) {
  const res = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
  if (!res.ok) return null;
  const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
  return [...doc.body.childNodes].map((n) => document.adoptNode(n));
}

function debounce(fn, ms) {
  let t;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

// insertAtCursor puts text into a textarea where the caret is, on a line of its own.
function insertAtCursor(area, text) {
  const start = area.selectionStart ?? area.value.length;
  const end = area.selectionEnd ?? start;
  const before = area.value.slice(0, start);
  const sep = before === '' || before.endsWith('\n') ? '' : '\n';
  area.value = before + sep + text + area.value.slice(end);
  const caret = (before + sep + text).length;
  area.focus();
  area.setSelectionRange(caret, caret);
  area.dispatchEvent(new Event('input', { bubbles: true }));
}

function initPanel(panel) {
  const form = panel.querySelector('form');
  const input = form.querySelector('input[name="q"]');
  const out = panel.querySelector('[data-kb-panel-results]');
  let seq = 0;
  const search = async (q) => {
    const mine = ++seq;
    const nodes = await fragment(`${panel.dataset.kbPanel}?q=${encodeURIComponent(q)}`);
    if (!nodes || mine !== seq) return; // a later search has started: its answer wins
    out.replaceChildren(...nodes);
    out.dataset.q = q;
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (input.value.trim()) search(input.value.trim());
  });
  out.addEventListener('click', (e) => {
    const btn = e.target.closest('[data-kb-insert]');
    const reply = document.getElementById('reply-body');
    if (!btn || !reply) return;
    insertAtCursor(reply, btn.dataset.kbInsert);
  });
  // Suggested articles for the ticket's own words.
  if (panel.dataset.kbInitial) search(panel.dataset.kbInitial);
}

function initSuggest(box) {
  const form = box.closest('form');
  const fields = ['subject', 'description'].map((n) => form.querySelector(`[name="${n}"]`)).filter(Boolean);
  const out = box.querySelector('[data-kb-suggest-results]');
  let last = '';
  const update = debounce(async () => {
    const q = fields.map((f) => f.value.trim()).join(' ').trim().slice(0, 400);
    if (q === last) return;
    last = q;
    if (q.length < 3) {
      box.hidden = true;
      return;
    }
    const nodes = await fragment(`${box.dataset.kbSuggest}?q=${encodeURIComponent(q)}`);
    if (!nodes || q !== last) return;
    out.replaceChildren(...nodes);
    box.hidden = out.querySelector('li') === null;
  }, 350);
  for (const f of fields) f.addEventListener('input', update);
  update();
  // Leaving the form unsent after opening a suggestion (in its own tab)
  // counts as self-service: the customer found their answer.
  let opened = null;
  let sent = false;
  out.addEventListener('click', (e) => {
    const a = e.target.closest('a[data-article]');
    if (a) opened = a.dataset.article;
  });
  form.addEventListener('submit', () => { sent = true; });
  window.addEventListener('pagehide', () => {
    if (!opened || sent) return;
    const body = new FormData();
    body.set('csrf_token', csrf());
    body.set('article_id', opened);
    body.set('how', 'left');
    body.set('q', last);
    navigator.sendBeacon(box.dataset.kbDeflect, body);
  });
}

export function init() {
  for (const panel of document.querySelectorAll('[data-kb-panel]')) initPanel(panel);
  for (const box of document.querySelectorAll('[data-kb-suggest]')) initSuggest(box);
}
