// Keyboard shortcuts of the agent workspace (listed in the "?" dialog and on
// /agent/shortcuts). Single keys act only when focus is not in a text field,
// so typing is never taken over.

const handlers = new Map();

// onKey registers a page's own single-key shortcut.
export function onKey(key, fn) {
  handlers.set(key, fn);
}

// typing reports whether el takes text input.
export function typing(el) {
  return !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
}

export function initShortcuts() {
  let pendingG = false;
  let gTimer = 0;
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && typing(document.activeElement)) {
      document.activeElement.blur();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target) || e.defaultPrevented) return;
    if (pendingG) {
      pendingG = false;
      if (e.key === 'i') {
        e.preventDefault();
        location.href = '/agent';
      }
      return;
    }
    switch (e.key) {
      case 'g':
        pendingG = true;
        clearTimeout(gTimer);
        gTimer = setTimeout(() => { pendingG = false; }, 1200);
        return;
      case '/': {
        const q = document.getElementById('topsearch-q');
        if (q) {
          e.preventDefault();
          q.focus();
          q.select();
        }
        return;
      }
      case '?': {
        const d = document.getElementById('shortcuts-dialog');
        if (d && !d.open) {
          e.preventDefault();
          d.showModal();
        }
        return;
      }
    }
    const fn = handlers.get(e.key);
    if (fn) {
      e.preventDefault();
      fn(e);
    }
  });
}
