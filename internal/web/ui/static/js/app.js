// Entry module of every page: what all pages share, then the page's own
// module (named by <body data-page>), loaded only where it is needed.
import { initShortcuts } from './shortcuts.js';

document.documentElement.classList.add('js');

// The language switcher submits on change; its button is for no-JS browsers.
for (const select of document.querySelectorAll('select[data-autosubmit]')) {
  select.addEventListener('change', () => select.form.requestSubmit());
}

initShortcuts();

// Ticket lists (inbox, search, a customer's tickets) share one module.
const modules = { inbox: './inbox.js', list: './inbox.js', ticket: './ticket.js' };
const page = modules[document.body.dataset.page];
if (page) {
  import(page).then((m) => m.init());
}

// The knowledge base's panel (ticket page) and suggestions (request form).
if (document.querySelector('[data-kb-panel], [data-kb-suggest]')) {
  import('./kb.js').then((m) => m.init());
}

// A survey opened from the mail's one-click link records the click.
if (document.querySelector('form[data-survey-autosend]')) {
  import('./survey.js').then((m) => m.init());
}
