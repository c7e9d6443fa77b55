// The inbox: keyboard navigation of the list, selection for bulk actions,
// and a notice when tickets in the list change elsewhere.
import { onKey } from './shortcuts.js';
import { fill } from './util.js';

export function init() {
  const rows = [...document.querySelectorAll('[data-ticket-list] tbody tr[data-row]')];
  let cursor = -1;

  const move = (i) => {
    if (rows.length === 0) return;
    cursor = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((r, j) => r.classList.toggle('is-cursor', j === cursor));
    rows[cursor].querySelector('[data-row-link]').focus();
  };
  onKey('j', () => move(cursor + 1));
  onKey('k', () => move(cursor - 1));
  onKey('o', () => {
    if (cursor >= 0) rows[cursor].querySelector('[data-row-link]').click();
  });

  const bar = document.querySelector('[data-bulkbar]');
  const all = document.querySelector('[data-select-all]');
  const counter = document.querySelector('[data-selected-count]');
  const boxes = [...document.querySelectorAll('input[name="ids"]')];
  const update = () => {
    const n = boxes.filter((b) => b.checked).length;
    if (bar) bar.classList.toggle('has-selection', n > 0);
    if (counter) {
      if (n > 0) fill(counter, counter.dataset.template, { count: n });
      else counter.replaceChildren();
    }
    if (all) {
      all.checked = n > 0 && n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
    }
  };
  if (all) {
    all.addEventListener('change', () => {
      boxes.forEach((b) => { b.checked = all.checked; });
      update();
    });
  }
  boxes.forEach((b) => b.addEventListener('change', update));
  onKey('x', () => {
    const box = cursor >= 0 && rows[cursor].querySelector('input[name="ids"]');
    if (box) {
      box.checked = !box.checked;
      update();
    }
  });
  update();

  const banner = document.querySelector('[data-live-banner]');
  if (banner && window.EventSource) {
    const es = new EventSource('/agent/live');
    es.addEventListener('changed', () => { banner.hidden = false; });
  }
}
