// The ticket page: reply box (public/internal, Ctrl+Enter), live updates of
// the conversation and fields over Server-Sent Events, presence: who else
// has the ticket open, and who is writing a reply right now; and the time
// worked on it (worklog.js).
import { onKey } from './shortcuts.js';
import { fill, post } from './util.js';
import { busy as worklogBusy, initWorklog } from './worklog.js';

export function init() {
  const root = document.querySelector('.ticket-page');
  const form = document.getElementById('ticket-form');
  if (!root || !form) return;
  const id = root.dataset.ticket;
  const body = document.getElementById('reply-body');
  const stampInput = form.querySelector('[data-stamp-input]');
  const banner = document.getElementById('live-banner');
  const msg = root.dataset;
  initWorklog(form);

  // Public reply or internal note: the box turns yellow for notes.
  const setVisibility = (internal) => {
    const radio = document.getElementById(internal ? 'vis-internal' : 'vis-public');
    if (radio) radio.checked = true;
    const chosen = form.querySelector('input[name="visibility"]:checked');
    form.classList.toggle('is-internal', !chosen || chosen.value === 'internal');
  };
  form.addEventListener('change', (e) => {
    if (e.target.name === 'visibility') setVisibility(e.target.value === 'internal');
  });
  onKey('r', () => { setVisibility(false); body.focus(); });
  onKey('n', () => { setVisibility(true); body.focus(); });
  body.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      form.requestSubmit(form.querySelector('.reply-actions button[type="submit"]'));
    }
  });

  // Field edits the agent has not saved stop live updates from replacing them.
  let fieldsDirty = false;
  document.addEventListener('change', (e) => {
    if (e.target.form === form && e.target.closest('#ticket-fields')) fieldsDirty = true;
  });

  // Presence: "replying" while the reply box holds text, renewed every few
  // seconds (the server forgets it after 15 s without a heartbeat).
  let replying = false;
  const beat = () => {
    const now = body.value.trim() !== '';
    if (now || replying) {
      replying = now;
      post(`/agent/tickets/${id}/presence`, { state: now ? 'replying' : 'idle' }).catch(() => {});
    }
  };
  body.addEventListener('input', () => {
    if (!replying && body.value.trim() !== '') beat();
  });
  setInterval(beat, 8000);

  const presence = document.getElementById('presence');
  const showPresence = (peers) => {
    presence.replaceChildren();
    for (const p of peers) {
      const li = document.createElement('li');
      if (p.replying) li.className = 'is-replying';
      fill(li, p.replying ? msg.msgReplying : msg.msgViewing, { name: p.name });
      presence.append(li);
    }
  };

  // Live updates: fetch the server-rendered parts and swap them in. The
  // reply's base version (updated_stamp) only moves when the agent says
  // they have seen the change, so a reply to an unread message is refused.
  let latest = stampInput.value;
  const refresh = async (change) => {
    const res = await fetch(`${location.pathname}?fragment=live`, { credentials: 'same-origin' });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    const known = new Set([...document.querySelectorAll('[data-comment]')].map((c) => c.dataset.comment));
    for (const part of ['ticket-head', 'conversation', 'requester-panel', 'ticket-fields', 'worklog-panel']) {
      if (part === 'ticket-fields' && fieldsDirty) continue;
      if (part === 'worklog-panel' && worklogBusy()) continue;
      const fresh = doc.getElementById(part);
      const old = document.getElementById(part);
      if (fresh && old) old.replaceWith(document.adoptNode(fresh));
    }
    for (const c of document.querySelectorAll('[data-comment]')) {
      if (!known.has(c.dataset.comment)) c.classList.add('is-new');
    }
    const stamp = doc.getElementById('live-stamp');
    if (stamp) latest = stamp.dataset.stamp;
    if (latest !== stampInput.value && !change.self) {
      let text = msg.msgChanged;
      if (change.by.length > 0) text = change.comment ? msg.msgWrote : msg.msgUpdated;
      fill(banner.querySelector('[data-live-text]'), text, { name: change.by[0] });
      banner.hidden = false;
    } else if (change.self) {
      stampInput.value = latest;
    }
  };
  banner.querySelector('[data-live-ack]').addEventListener('click', () => {
    stampInput.value = latest;
    banner.hidden = true;
    const first = document.querySelector('.comment.is-new');
    if (first) first.scrollIntoView({ block: 'center' });
  });

  if (window.EventSource) {
    const es = new EventSource(`/agent/tickets/${id}/live`);
    // data-live says whether updates arrive (tests and styles can read it).
    es.addEventListener('open', () => { root.dataset.live = 'open'; });
    es.addEventListener('error', () => { root.dataset.live = 'retrying'; });
    es.addEventListener('presence', (e) => showPresence(JSON.parse(e.data)));
    // On every (re)connection: if the ticket moved on while the stream was
    // down, catch up.
    es.addEventListener('hello', (e) => {
      const hello = JSON.parse(e.data);
      if (hello.stamp !== latest) refresh(hello).catch(() => {});
    });
    es.addEventListener('ticket', (e) => { refresh(JSON.parse(e.data)).catch(() => {}); });
    es.addEventListener('gone', () => {
      es.close();
      fill(banner.querySelector('[data-live-text]'), msg.msgGone, {});
      banner.querySelector('[data-live-ack]').hidden = true;
      banner.hidden = false;
    });
  }
}
