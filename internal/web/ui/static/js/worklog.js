// Time worked on the ticket page (worklog.go). A timer for this visit runs
// only while the page is visible; its seconds travel with the ticket form
// (work_seconds) or, when the agent leaves the page, in a beacon to the
// CSRF-protected form endpoint. The "log time" form adds work done
// elsewhere and swaps in the updated panel.
import { csrf, digits } from './util.js';

const MAX_SECONDS = 12 * 3600; // the server's bound for one entry

const two = (n) => String(n).padStart(2, '0');

// clock writes seconds as m:ss or h:mm:ss, in the page's digits.
function clock(s) {
  const h = Math.floor(s / 3600);
  const m = Math.floor(s / 60) % 60;
  return digits(h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`);
}

// busy: the agent is typing in the panel's form, so a live update must not
// replace it.
export function busy() {
  const input = document.getElementById('worklog-minutes');
  return !!input && (input.value !== '' || document.activeElement === input);
}

export function initWorklog(form) {
  const panel = document.getElementById('worklog-panel');
  const field = form.querySelector('[data-work-seconds]');
  if (!panel || !field) return;
  const url = panel.dataset.worklog;

  // Visible milliseconds of this visit, and how many of them the server
  // already has (sent with the form or a beacon).
  let shown = 0;
  let since = document.visibilityState === 'visible' ? performance.now() : null;
  let sent = 0;
  const elapsed = () => shown + (since === null ? 0 : performance.now() - since);
  const unsent = () => Math.floor((elapsed() - sent) / 1000);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') {
      if (since === null) since = performance.now();
    } else if (since !== null) {
      shown += performance.now() - since;
      since = null;
    }
  });

  const tick = () => {
    for (const el of document.querySelectorAll('[data-worklog-timer]')) el.hidden = false;
    const out = document.querySelector('[data-worklog-clock]');
    if (out) out.textContent = clock(Math.floor(elapsed() / 1000));
  };
  tick();
  setInterval(() => { if (since !== null) tick(); }, 1000);

  // With the ticket form: whatever it carries is handed over. Under a
  // second is not sent; over the bound (a tab left open overnight) is dropped.
  form.addEventListener('submit', () => {
    const s = unsent();
    field.value = s >= 1 && s <= MAX_SECONDS ? String(s) : '';
    sent = elapsed();
  });

  // Leaving the page: a beacon survives the navigation. Its FormData
  // carries the CSRF token, as a beacon cannot set headers.
  window.addEventListener('pagehide', () => {
    const s = unsent();
    if (s < 1 || s > MAX_SECONDS || !navigator.sendBeacon) return;
    const data = new FormData();
    data.append('csrf_token', csrf());
    data.append('source', 'timer');
    data.append('seconds', String(s));
    if (navigator.sendBeacon(`${url}?reply=none`, data)) sent += s * 1000;
  });

  // Time worked elsewhere: sent by script, the new panel swapped in; on
  // anything unexpected the form posts the ordinary way.
  document.addEventListener('submit', async (e) => {
    const f = e.target;
    if (!(f instanceof HTMLFormElement) || !f.matches('[data-worklog-form]')) return;
    e.preventDefault();
    const button = f.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const res = await fetch(`${url}?reply=panel`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'X-CSRF-Token': csrf() },
        body: new FormData(f),
      });
      if (!res.ok && res.status !== 422) throw new Error(String(res.status));
      const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
      const fresh = doc.getElementById('worklog-panel');
      const old = document.getElementById('worklog-panel');
      if (!fresh || !old) throw new Error('no panel');
      old.replaceWith(document.adoptNode(fresh));
      tick();
      if (!res.ok) document.getElementById('worklog-minutes')?.focus();
    } catch {
      f.submit();
    } finally {
      button.disabled = false;
    }
  });
}
