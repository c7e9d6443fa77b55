// Small helpers shared by the page modules.

// csrf is the session's token, for fetch() calls that change something.
export function csrf() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : '';
}

// digits writes a number in the page's digits (Persian in fa).
export function digits(n) {
  const s = String(n);
  if (document.documentElement.lang !== 'fa') return s;
  return s.replace(/[0-9]/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[d]);
}

// fill writes a catalog message (rendered by the server with its {name}
// placeholders intact) into el: numbers in the page's digits, anything else
// in a <bdi>, so a Latin name cannot reorder a Persian sentence.
export function fill(el, message, vars) {
  el.replaceChildren();
  const re = /\{(\w+)\}/g;
  let last = 0;
  let m;
  while ((m = re.exec(message)) !== null) {
    el.append(message.slice(last, m.index));
    const v = vars[m[1]];
    if (typeof v === 'number') {
      el.append(digits(v));
    } else {
      const b = document.createElement('bdi');
      b.textContent = v === undefined ? m[0] : v;
      el.append(b);
    }
    last = re.lastIndex;
  }
  el.append(message.slice(last));
}

// post sends a small form-encoded request with the CSRF header.
export function post(url, data) {
  return fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    keepalive: true,
    headers: { 'X-CSRF-Token': csrf(), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(data),
  });
}
