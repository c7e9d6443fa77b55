// Layan chat widget: one <script src=".../widget.js" data-workspace="..."> on
// any site. Hand-written, no framework; everything lives in a shadow root so
// the host page's styles and ours never meet. Visitor and agent text is only
// ever inserted with textContent. The protocol is docs/chat-protocol.md.
(() => {
  'use strict';
  // STRINGS is replaced by the server with the widget.* messages of each
  // locale (internal/i18n/catalogs/chat.*.json).
  const STRINGS = /*STRINGS*/ {};
  const script = document.currentScript;
  if (!script || window.__layanChat) return;
  window.__layanChat = true;

  const ds = script.dataset;
  const base = new URL(script.src, location.href);
  const origin = base.origin;
  const workspace = ds.workspace || 'default';

  // Language: data-lang, else the browser's; en/id/fa only.
  const pickLang = (s) => {
    s = (s || '').toLowerCase().slice(0, 2);
    return STRINGS[s] ? s : '';
  };
  const lang = pickLang(ds.lang) || pickLang(navigator.language) || 'en';
  const rtl = lang === 'fa';
  const S = STRINGS[lang] || STRINGS.en || {};

  // digits writes numbers in the visitor's script (Persian digits in fa).
  const digits = (v) => (rtl ? String(v).replace(/[0-9]/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[d]) : String(v));
  // t fills {name} placeholders of a message.
  const t = (key, vars) =>
    (S[key] || key).replace(/\{(\w+)\}/g, (m, k) =>
      vars && vars[k] !== undefined ? (typeof vars[k] === 'number' ? digits(vars[k]) : String(vars[k])) : m);
  const clock = (ms) => {
    const d = new Date(ms || Date.now());
    return digits(String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0'));
  };

  // el builds an element; text goes in with textContent, never as HTML.
  const el = (tag, props, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of kids) if (c) e.append(c);
    return e;
  };

  // ---- storage: the visitor token and the open conversation survive reloads.
  const storeKey = 'layan-chat:' + origin + ':' + workspace;
  const load = () => {
    try {
      return JSON.parse(localStorage.getItem(storeKey)) || {};
    } catch (_) {
      return {};
    }
  };
  const saved = load();
  const save = (patch) => {
    Object.assign(saved, patch);
    try {
      localStorage.setItem(storeKey, JSON.stringify(saved));
    } catch (_) {
      /* private mode: the chat still works until the page closes */
    }
  };

  // ---- styles (constructable sheet: a host page's CSP cannot block it).
  const css = `
:host{all:initial}
*{box-sizing:border-box;font:inherit}
.root{position:fixed;inset-block-end:20px;inset-inline-end:20px;z-index:2147483000;font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans Arabic",Tahoma,sans-serif;color:#1d2433}
.launcher{display:flex;align-items:center;gap:8px;border:0;border-radius:999px;padding:12px 18px;background:var(--accent,#1f6feb);color:#fff;cursor:pointer;box-shadow:0 4px 16px rgba(0,0,0,.2);font-weight:600}
.launcher .badge{background:#d1242f;border-radius:999px;padding:0 7px;font-size:12px}
.panel{display:flex;flex-direction:column;width:min(370px,calc(100vw - 24px));height:min(560px,calc(100vh - 90px));background:#fff;border-radius:14px;box-shadow:0 8px 32px rgba(0,0,0,.25);overflow:hidden;margin-block-end:12px}
.panel[hidden],[hidden]{display:none!important}
header{display:flex;align-items:center;gap:8px;padding:12px 14px;background:var(--accent,#1f6feb);color:#fff}
header h2{margin:0;font-size:15px;font-weight:650;flex:1}
header .status{font-size:12px;opacity:.9}
.dot{display:inline-block;width:8px;height:8px;border-radius:50%;background:#9aa4b2;margin-inline-end:5px}
.dot.on{background:#3fb950}
.x{background:none;border:0;color:inherit;font-size:20px;line-height:1;cursor:pointer;padding:2px 6px}
.notice{padding:6px 14px;background:#fff8c5;font-size:12px}
.body{flex:1;overflow-y:auto;padding:12px 14px;background:#f6f8fa}
ol{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:8px}
li.msg{max-width:82%;display:flex;flex-direction:column;gap:2px}
li.msg .b{padding:8px 11px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere}
li.visitor{align-self:flex-end}
li.visitor .b{background:var(--accent,#1f6feb);color:#fff;border-end-end-radius:4px}
li.agent{align-self:flex-start}
li.agent .b{background:#fff;border:1px solid #d0d7de;border-end-start-radius:4px}
li.bot .b p{margin:0 0 6px}li.bot ol{margin:0 0 6px;padding-inline-start:1.2em}.bot-choice{display:flex;gap:6px;flex-wrap:wrap}li.bot .muted{color:#57606a}
li.system{align-self:center;max-width:100%;color:#57606a;font-size:12px;text-align:center}
li.msg .meta{font-size:11px;color:#57606a;display:flex;gap:6px}
li.visitor .meta{justify-content:flex-end}
li.msg a{color:inherit}
li.pending .b{opacity:.6}
.typing{font-size:12px;color:#57606a;padding:4px 14px;min-height:22px}
form{margin:0}
.composer{display:flex;gap:6px;align-items:flex-end;padding:8px;border-block-start:1px solid #d0d7de;background:#fff}
textarea,input,select{width:100%;border:1px solid #d0d7de;border-radius:8px;padding:8px 10px;background:#fff;color:#1d2433}
textarea{resize:none;max-height:120px}
.btn{border:0;border-radius:8px;padding:8px 12px;background:var(--accent,#1f6feb);color:#fff;cursor:pointer;font-weight:600;white-space:nowrap}
.btn.quiet{background:#eaeef2;color:#1d2433}
.icon{background:none;border:0;cursor:pointer;padding:8px;font-size:18px;line-height:1;color:#57606a}
.stack{display:flex;flex-direction:column;gap:10px;padding:14px}
.stack label{display:flex;flex-direction:column;gap:4px;font-size:13px;font-weight:600}
.stack p{margin:0}
.err{color:#d1242f;font-size:12px}
.csat{display:flex;gap:8px;justify-content:center}
.csat .btn{font-size:18px;padding:6px 14px}
.center{text-align:center}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;
  const host = el('div', { id: 'layan-chat', 'data-lang': lang });
  const root = host.attachShadow({ mode: 'open' });
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch (_) {
    root.append(el('style', { text: css }));
  }
  if (ds.color && /^#[0-9a-f]{3,8}$/i.test(ds.color)) host.style.setProperty('--accent', ds.color);

  // icon draws a 20px line icon (no emoji: not every system has the font).
  const svgNS = 'http://www.w3.org/2000/svg';
  const icon = (d) => {
    const svg = document.createElementNS(svgNS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', '20');
    svg.setAttribute('height', '20');
    svg.setAttribute('aria-hidden', 'true');
    const p = document.createElementNS(svgNS, 'path');
    p.setAttribute('d', d);
    p.setAttribute('fill', 'none');
    p.setAttribute('stroke', 'currentColor');
    p.setAttribute('stroke-width', '2');
    p.setAttribute('stroke-linecap', 'round');
    p.setAttribute('stroke-linejoin', 'round');
    svg.append(p);
    return svg;
  };
  const clipPath = 'M21 11.5l-8.5 8.5a5 5 0 0 1-7-7L14 4.5a3.3 3.3 0 0 1 4.7 4.7L10.2 17.7a1.7 1.7 0 0 1-2.4-2.4L15.5 7.6';

  // ---- the widget's parts.
  const badge = el('span', { class: 'badge', hidden: true });
  const launcher = el('button', { class: 'launcher', type: 'button', 'aria-expanded': 'false' }, el('span', { text: t('widget.open') }), badge);
  const statusDot = el('span', { class: 'dot' });
  const statusText = el('span');
  const closeBtn = el('button', { class: 'x', type: 'button', 'aria-label': t('widget.close'), text: '×' });
  const notice = el('div', { class: 'notice', role: 'status', hidden: true });
  const list = el('ol', { 'aria-live': 'polite' });
  const body = el('div', { class: 'body' }, list);
  const typing = el('div', { class: 'typing', 'aria-live': 'polite' });
  const input = el('textarea', { rows: '1', dir: 'auto', placeholder: t('widget.placeholder'), 'aria-label': t('widget.placeholder'), maxlength: '4000' });
  const file = el('input', { type: 'file', hidden: true });
  const attach = el('button', { class: 'icon', type: 'button', 'aria-label': t('widget.attach'), title: t('widget.attach') }, icon(clipPath));
  const send = el('button', { class: 'btn', type: 'submit', text: t('widget.send') });
  const composer = el('form', { class: 'composer' }, attach, file, input, send);
  const endBtn = el('button', { class: 'x', type: 'button', title: t('widget.end'), 'aria-label': t('widget.end'), text: '⏻', hidden: true });
  const chatView = el('div', { class: 'body-wrap', 'data-view': 'chat' }, body, typing, composer);
  const prechat = el('form', { class: 'stack body', 'data-view': 'prechat', hidden: true });
  const offline = el('form', { class: 'stack body', 'data-view': 'offline', hidden: true });
  const ended = el('div', { class: 'stack body', 'data-view': 'ended', hidden: true });
  const panel = el(
    'section',
    { class: 'panel', hidden: true, role: 'dialog', 'aria-label': t('widget.title') },
    el('header', {}, el('h2', { text: t('widget.title') }), el('span', { class: 'status' }, statusDot, statusText), endBtn, closeBtn),
    notice,
    prechat,
    offline,
    ended,
    chatView,
  );
  chatView.style.cssText = 'display:flex;flex-direction:column;flex:1;min-height:0';
  const wrap = el('div', { class: 'root', dir: rtl ? 'rtl' : 'ltr', lang }, panel, launcher);
  root.append(wrap);

  const show = (view) => {
    for (const v of [prechat, offline, ended]) v.hidden = v !== view;
    chatView.style.display = view === chatView ? 'flex' : 'none';
    wrap.dataset.view = view.dataset.view;
  };

  // ---- state.
  const api = '/api/layan/v1/chat/visitor/';
  const q = (extra) => {
    const p = new URLSearchParams(Object.assign({ workspace }, extra || {}));
    return '?' + p.toString();
  };
  let ws = null; // the open WebSocket, if any
  let polling = false; // long-poll fallback active
  let conv = saved.conversation || ''; // the open conversation's id
  let status = ''; // queued | active | ended | offline
  // lastSeq is the highest seq up to which every message is here: resume
  // and polls ask for what follows it (our own acked message may be ahead).
  let lastSeq = 0;
  let readSeq = 0; // highest agent seq we told the server we read
  let agentRead = 0; // highest visitor seq the agent has read
  let online = null; // is any agent online (welcome.agents_online)
  let view = 'idle'; // idle | prechat | offline | chat | ended
  let wsFailures = 0;
  let retry = 0;
  let unread = 0;
  let nextRef = 1;
  const outbox = new Map(); // ref → frame, until acknowledged with a seq
  const seen = new Set(); // seqs rendered: a message shows exactly once
  const prechatFields = (ds.prechat || '').split(',').map((s) => s.trim()).filter(Boolean);
  const identity =
    ds.userId && ds.signature ? { user_id: ds.userId, email: ds.email || '', name: ds.name || '', signature: ds.signature } : null;

  const isOpen = () => !panel.hidden;
  const setNotice = (text) => {
    notice.textContent = text || '';
    notice.hidden = !text;
  };
  const setOnline = (v) => {
    online = !!v;
    statusDot.classList.toggle('on', online);
    statusText.textContent = online ? t('widget.online') : t('widget.offline');
  };

  // ---- rendering messages.
  const scrollDown = () => {
    body.scrollTop = body.scrollHeight;
  };
  const receipt = (li) => {
    const seq = Number(li.dataset.seq || 0);
    const r = li.querySelector('.receipt');
    if (!r) return;
    const st = !seq ? 'sending' : seq <= agentRead ? 'read' : 'sent';
    r.textContent = st === 'sending' ? t('widget.sending') : st === 'read' ? '✓✓ ' + t('widget.read') : '✓ ' + t('widget.sent');
    li.dataset.state = st;
  };
  const fileLink = (f) => {
    const u = new URL(f.url || '/api/layan/v1/chat/files/' + encodeURIComponent(f.token), origin);
    if (saved.visitor_token) u.searchParams.set('visitor_token', saved.visitor_token);
    return el('a', { href: u.href, target: '_blank', rel: 'noopener noreferrer', download: '' }, icon(clipPath), ' ', f.name || 'file');
  };
  const render = (m) => {
    const kind = (m.author && m.author.kind) || 'system';
    if (kind === 'system') return el('li', { class: 'msg system', 'data-seq': m.seq }, el('span', { dir: 'auto', text: m.text || '' }));
    const b = el('div', { class: 'b', dir: 'auto' });
    if (m.text) b.append(m.text);
    for (const f of m.attachments || []) b.append(el('div', {}, fileLink(f)));
    const meta = el('div', { class: 'meta' });
    if (kind === 'agent' && m.author.name) meta.append(el('bdi', { text: m.author.name }));
    meta.append(el('time', { text: clock(m.at) }));
    const li = el('li', { class: 'msg ' + (kind === 'visitor' ? 'visitor' : 'agent'), 'data-seq': m.seq || '' }, b, meta);
    if (kind === 'visitor') {
      meta.append(el('span', { class: 'receipt' }));
      receipt(li);
    }
    return li;
  };
  const advance = () => {
    while (seen.has(lastSeq + 1)) lastSeq++;
  };
  const pendingLi = (ref) => list.querySelector('li[data-ref="' + CSS.escape(ref) + '"]');
  // add shows a committed message once, in sequence order, before any
  // message still waiting for its ack.
  const add = (m) => {
    if (!m.seq || seen.has(m.seq) || (m.conversation && conv && m.conversation !== conv)) return;
    seen.add(m.seq);
    const li = render(m);
    let before = list.querySelector('li.pending');
    for (const c of list.children) {
      const s = Number(c.dataset.seq || 0);
      if (s > m.seq) {
        before = c;
        break;
      }
    }
    list.insertBefore(li, before);
    advance();
    if (m.author && m.author.kind === 'agent') {
      typing.textContent = '';
      notify();
    }
    scrollDown();
    markRead();
  };

  // ---- notifications: title and a short tone while the tab is hidden or the panel closed.
  const baseTitle = document.title;
  let titleTimer = null;
  const notify = () => {
    if (isOpen() && !document.hidden) return;
    unread++;
    badge.textContent = digits(unread);
    badge.hidden = false;
    if (document.hidden && !titleTimer) {
      let flip = false;
      titleTimer = setInterval(() => {
        flip = !flip;
        document.title = flip ? '(' + digits(unread) + ') ' + t('widget.new_message') : baseTitle;
      }, 1200);
    }
    beep();
  };
  const clearUnread = () => {
    unread = 0;
    badge.hidden = true;
    if (titleTimer) {
      clearInterval(titleTimer);
      titleTimer = null;
      document.title = baseTitle;
    }
  };
  let audio = null;
  const beep = () => {
    if (ds.sound === 'off') return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const o = audio.createOscillator();
      const g = audio.createGain();
      o.frequency.value = 880;
      g.gain.setValueAtTime(0.08, audio.currentTime);
      g.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
      o.connect(g).connect(audio.destination);
      o.start();
      o.stop(audio.currentTime + 0.25);
    } catch (_) {
      /* no audio: the title still flashes */
    }
  };
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && isOpen()) {
      clearUnread();
      markRead();
    }
  });

  // ---- transport: WebSocket, or long polling when sockets are blocked.
  const hello = () => {
    const h = { type: 'hello', locale: lang, last_seq: lastSeq };
    if (saved.visitor_token) h.visitor_token = saved.visitor_token;
    if (identity) h.identity = identity;
    if (conv) h.conversation = conv;
    return h;
  };
  // frame sends one frame now if a transport is up; unacknowledged sends
  // stay in the outbox and go again (same ref) after the next welcome.
  const frame = (f) => {
    if (ws && ws.readyState === 1 && ws.ready) {
      ws.send(JSON.stringify(f));
      return true;
    }
    if (polling && pollReady) {
      pollUp([f]);
      return true;
    }
    return false;
  };

  let pingTimer = null;
  const connect = () => {
    if (polling || ws) return;
    const u = new URL(api + 'ws' + q(), origin);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    let opened = false;
    let sock;
    try {
      sock = new WebSocket(u.href);
    } catch (_) {
      startPolling();
      return;
    }
    ws = sock;
    sock.onopen = () => {
      opened = true;
      sock.send(JSON.stringify(hello()));
      clearInterval(pingTimer);
      pingTimer = setInterval(() => sock.readyState === 1 && sock.send('{"type":"ping"}'), 25000);
    };
    sock.onmessage = (e) => {
      let f;
      try {
        f = JSON.parse(e.data);
      } catch (_) {
        return;
      }
      if (f.type === 'welcome') {
        sock.ready = true;
        wrap.dataset.conn = 'ws';
      }
      handle(f);
    };
    sock.onclose = () => {
      clearInterval(pingTimer);
      if (ws === sock) ws = null;
      if (!opened && ++wsFailures >= 2) {
        startPolling(); // sockets are blocked on this network: poll instead
        return;
      }
      if (opened) wsFailures = 0;
      reconnectSoon();
    };
  };
  const backoff = () => Math.min(30000, 1000 * 2 ** retry++) * (0.7 + Math.random() * 0.6);
  const reconnectSoon = () => {
    wrap.dataset.conn = 'lost';
    setNotice(t('widget.reconnecting'));
    setTimeout(connect, backoff());
  };

  // Long polling: POST .../frames carries frames up (and answers frames
  // down); GET .../poll waits for what is new after lastSeq.
  let pollReady = false;
  const pollUp = async (frames) => {
    try {
      // identity and locale travel in the hello frame.
      const body = { visitor_token: saved.visitor_token || '', frames };
      const res = await fetch(new URL(api + 'frames' + q(), origin), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(String(res.status));
      const out = await res.json();
      for (const f of out.frames || []) handle(f);
      return true;
    } catch (_) {
      return false;
    }
  };
  const startPolling = async () => {
    if (polling) return;
    polling = true;
    while (!(await pollUp([hello()]))) {
      setNotice(t('widget.reconnecting'));
      await new Promise((r) => setTimeout(r, backoff()));
    }
    pollReady = true;
    wrap.dataset.conn = 'poll';
    flushOutbox();
    for (;;) {
      if (!conv || status === 'ended') {
        await new Promise((r) => setTimeout(r, 3000));
        continue;
      }
      try {
        const u = new URL(api + 'poll' + q({ visitor_token: saved.visitor_token || '', conversation: conv, after: lastSeq }), origin);
        const res = await fetch(u);
        if (!res.ok) throw new Error(String(res.status));
        const out = await res.json();
        retry = 0;
        setNotice('');
        for (const f of out.frames || []) handle(f);
      } catch (_) {
        setNotice(t('widget.reconnecting'));
        await new Promise((r) => setTimeout(r, backoff()));
      }
    }
  };
  const flushOutbox = () => {
    for (const f of outbox.values()) frame(f);
  };

  // handle applies one frame from the server.
  const handle = (f) => {
    switch (f.type) {
      case 'welcome': {
        retry = 0;
        setNotice('');
        if (f.visitor_token) save({ visitor_token: f.visitor_token });
        setOnline(f.agents_online);
        const c = f.conversation;
        if (c && c.id) {
          if (conv !== c.id) {
            conv = c.id;
            save({ conversation: conv });
          }
          setStatus(c.status, c.agent);
        } else if (conv) {
          // The conversation we knew has gone (ended elsewhere): start afresh.
          conv = '';
          save({ conversation: '' });
        }
        flushOutbox();
        if (isOpen()) showView();
        break;
      }
      case 'message':
        add(f);
        break;
      case 'ack': {
        if (f.conversation && !conv) {
          conv = f.conversation;
          save({ conversation: conv });
        }
        const sent = outbox.get(f.ref);
        outbox.delete(f.ref);
        const li = f.ref && pendingLi(f.ref);
        if (li && f.seq && !seen.has(f.seq)) {
          li.classList.remove('pending');
          li.removeAttribute('data-ref');
          li.dataset.seq = f.seq;
          seen.add(f.seq);
          advance();
          receipt(li);
        } else if (li) li.remove();
        if (sent && sent.type === 'start' && status === '') setStatus(online ? 'queued' : 'offline');
        break;
      }
      case 'status':
        if (f.conversation && conv && f.conversation !== conv) break;
        setStatus(f.status, f.agent, f.queue_position);
        break;
      case 'typing':
        if (f.from === 'agent') showTyping(f.on);
        break;
      case 'read':
        if (f.by === 'agent' && f.seq > agentRead) {
          agentRead = f.seq;
          for (const li of list.querySelectorAll('li.visitor')) receipt(li);
        }
        break;
      case 'error': {
        const key = 'widget.error_' + f.code;
        setNotice(S[key] ? t(key) : t('widget.error'));
        if (f.ref) {
          const li = pendingLi(f.ref);
          outbox.delete(f.ref);
          if (li) {
            li.classList.add('failed');
            li.querySelector('.receipt').textContent = t('widget.not_sent');
          }
        }
        if (f.code === 'conversation_ended' || f.code === 'no_conversation') {
          conv = '';
          save({ conversation: '' });
        }
        break;
      }
    }
  };

  // setStatus shows the conversation's state: waiting, who joined, ended.
  let agentName = '';
  const setStatus = (st, agent, position) => {
    const was = status;
    status = st || '';
    wrap.dataset.status = status;
    if (st === 'queued') {
      typing.textContent = position ? t('widget.waiting_position', { position }) : t('widget.waiting');
    } else if (st === 'active') {
      const name = (agent && agent.name) || '';
      if (was === 'queued' || (name && name !== agentName)) typing.textContent = t('widget.joined', { name });
      agentName = name;
    } else if (st === 'offline') {
      setNotice(t('widget.offline_done', { email: (saved.profile && saved.profile.email) || ds.email || '' }));
    } else if (st === 'ended' && was !== 'ended') {
      toEnded();
    }
    endBtn.hidden = !(conv && (st === 'queued' || st === 'active'));
  };

  let typingTimer = null;
  const showTyping = (on) => {
    clearTimeout(typingTimer);
    typing.textContent = on ? (agentName ? t('widget.typing_named', { name: agentName }) : t('widget.typing')) : '';
    if (on) typingTimer = setTimeout(() => (typing.textContent = ''), 8000);
  };

  const markRead = () => {
    if (!isOpen() || document.hidden || lastSeq <= readSeq) return;
    readSeq = lastSeq;
    frame({ type: 'read', seq: readSeq });
  };

  // ---- sending. The first message of a chat is a start frame (with the
  // pre-chat answers), later ones send frames.
  const post = (text, attachments, extra) => {
    const ref = 'w' + Date.now().toString(36) + '-' + nextRef++;
    const starting = !conv && ![...outbox.values()].some((f) => f.type === 'start');
    const f = { type: starting ? 'start' : 'send', ref, text };
    if (attachments && attachments.length) f.attachments = attachments.map((a) => a.token);
    if (starting) {
      const p = saved.profile || {};
      // data-email only pre-fills forms: an email the visitor did not type
      // reaches the server signed, in hello's identity, or not at all.
      Object.assign(f, { name: p.name || ds.name || '', email: p.email || '', topic: p.topic || '' }, extra || {});
    }
    outbox.set(ref, f);
    const li = render({ author: { kind: 'visitor' }, text, attachments, at: Date.now() });
    li.classList.add('pending');
    li.dataset.ref = ref;
    list.append(li);
    scrollDown();
    if (!frame(f) && !ws && !polling) connect();
  };
  // ---- the assistant: a visitor's first question goes to the knowledge
  // base's bot before it becomes a chat. A confident answer is offered with
  // "did this answer your question?": yes ends there (a self-service
  // resolution), no starts the chat with the same question.
  let botAsked = ds.bot === 'off';
  const askBot = async (text) => {
    try {
      const res = await fetch(new URL(api + 'bot' + q(), origin), {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text, locale: lang }),
      });
      const r = res.ok ? await res.json() : null;
      return r && r.answered ? r : null;
    } catch (_) {
      return null; // no assistant today: a human answers
    }
  };
  const offerAnswer = (text, r) => {
    const mine = el('li', { class: 'msg visitor' }, el('div', { class: 'b', dir: 'auto', text }));
    const b = el('div', { class: 'b', dir: 'auto' });
    const link = (a) => el('a', { href: new URL(a.path, origin).href, target: '_blank', rel: 'noopener noreferrer', dir: 'auto', text: a.title });
    const gen = r.generated_answer;
    if (gen) {
      b.append(el('p', { text: gen.text }), el('p', { class: 'muted', text: t('widget.bot_sources') }));
      const ol = el('ol');
      for (const a of gen.sources || []) ol.append(el('li', {}, link(a)));
      b.append(ol);
    } else {
      b.append(el('p', { text: t('widget.bot_intro') }), el('p', {}, el('strong', {}, link(r.answer))));
      if (r.answer.snippet) b.append(el('p', { text: r.answer.snippet }));
    }
    const ask = el('p', { text: t('widget.bot_helped') });
    const yes = el('button', { class: 'btn', type: 'button', text: t('widget.bot_yes') });
    const no = el('button', { class: 'btn', type: 'button', text: t('widget.bot_no') });
    const choice = el('div', { class: 'bot-choice' }, yes, no);
    b.append(ask, choice);
    const li = el('li', { class: 'msg agent bot' }, b);
    list.append(mine, li);
    scrollDown();
    yes.onclick = () => {
      choice.replaceWith(el('p', { text: t('widget.bot_glad') }));
      ask.remove();
      fetch(new URL(api + 'bot/resolved' + q(), origin), {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ kind: r.answer.kind, id: r.answer.id, question: text }),
      }).catch(() => {});
    };
    no.onclick = () => {
      choice.remove();
      ask.remove();
      mine.remove();
      post(text);
    };
  };
  composer.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (text.length > 4000) {
      setNotice(t('widget.error_too_large'));
      return;
    }
    input.value = '';
    clearTimeout(typingIdle);
    if (typingOn) frame({ type: 'typing', on: false });
    typingOn = false;
    if (!botAsked && !conv && ![...outbox.values()].some((f) => f.type === 'start')) {
      botAsked = true;
      const r = await askBot(text);
      if (r) return offerAnswer(text, r);
    }
    post(text);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      composer.requestSubmit();
    }
  });
  // Typing: on at the first key, again every few seconds, off after a pause.
  let typingOn = false;
  let typingSent = 0;
  let typingIdle = null;
  input.addEventListener('input', () => {
    if (!conv) return;
    if (!input.value.trim()) {
      clearTimeout(typingIdle);
      if (typingOn) frame({ type: 'typing', on: false });
      typingOn = false;
      return;
    }
    if (!typingOn || Date.now() - typingSent > 4000) {
      typingOn = true;
      typingSent = Date.now();
      frame({ type: 'typing', on: true });
    }
    clearTimeout(typingIdle);
    typingIdle = setTimeout(() => {
      typingOn = false;
      frame({ type: 'typing', on: false });
    }, 3000);
  });

  const maxUpload = 5 << 20;
  const types = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain'];
  file.accept = types.join(',');
  attach.addEventListener('click', () => file.click());
  file.addEventListener('change', async () => {
    const f = file.files[0];
    file.value = '';
    if (!f) return;
    const mb = { size: 5 };
    if (f.size > maxUpload) return setNotice(t('widget.error_too_big', mb));
    if (!types.includes(f.type)) return setNotice(t('widget.error_invalid_upload'));
    if (!saved.visitor_token) return setNotice(t('widget.reconnecting'));
    try {
      const u = new URL(api + 'uploads' + q({ visitor_token: saved.visitor_token, filename: f.name }), origin);
      const res = await fetch(u, { method: 'POST', headers: { 'Content-Type': f.type }, body: f });
      if (res.status === 413) throw new Error('widget.error_too_big');
      if (res.status === 415) throw new Error('widget.error_invalid_upload');
      if (!res.ok) throw new Error('widget.error');
      const up = await res.json();
      setNotice('');
      post('', [{ token: up.token, name: up.name || f.name }]);
    } catch (err) {
      setNotice(t(S[err.message] ? err.message : 'widget.error', mb));
    }
  });

  // ---- the forms: pre-chat, offline message, the end with CSAT.
  const field = (name, label, attrs) => {
    const inp = el(attrs && attrs.rows ? 'textarea' : 'input', Object.assign({ name, dir: 'auto' }, attrs || {}));
    return el('label', {}, el('span', { text: label }), inp);
  };
  const validEmail = (s) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s);

  const buildPrechat = () => {
    prechat.replaceChildren(el('p', { text: t('widget.prechat_intro') }));
    const p = saved.profile || {};
    if (prechatFields.includes('name')) prechat.append(field('name', t('widget.name'), { autocomplete: 'name', maxlength: '200', value: p.name }));
    if (prechatFields.includes('email'))
      prechat.append(field('email', t('widget.email'), { type: 'email', dir: 'ltr', autocomplete: 'email', maxlength: '320', value: p.email }));
    if (prechatFields.includes('topic')) prechat.append(field('topic', t('widget.topic'), { maxlength: '200', value: p.topic }));
    const err = el('p', { class: 'err', role: 'alert' });
    prechat.append(err, el('button', { class: 'btn', type: 'submit', text: t('widget.start') }));
    prechat.onsubmit = (e) => {
      e.preventDefault();
      const v = Object.fromEntries(new FormData(prechat));
      if (v.email && !validEmail(v.email)) {
        err.textContent = t('widget.email_invalid');
        return;
      }
      save({ profile: { name: v.name || '', email: v.email || '', topic: v.topic || '' } });
      view = 'chat';
      showView();
    };
  };

  const buildOffline = () => {
    offline.replaceChildren(el('p', { text: t('widget.offline_intro') }));
    const p = saved.profile || {};
    offline.append(
      field('name', t('widget.name'), { autocomplete: 'name', maxlength: '200', value: p.name || ds.name }),
      field('email', t('widget.email'), { type: 'email', dir: 'ltr', autocomplete: 'email', required: true, maxlength: '320', value: p.email || ds.email }),
      field('message', t('widget.message'), { rows: '4', required: true, maxlength: '4000' }),
    );
    const err = el('p', { class: 'err', role: 'alert' });
    offline.append(err, el('button', { class: 'btn', type: 'submit', text: t('widget.offline_send') }));
    offline.onsubmit = (e) => {
      e.preventDefault();
      const v = Object.fromEntries(new FormData(offline));
      if (!validEmail(v.email || '')) return (err.textContent = t('widget.email_invalid'));
      if (!(v.message || '').trim()) return (err.textContent = t('widget.required'));
      save({ profile: Object.assign({}, saved.profile, { name: v.name || '', email: v.email }) });
      view = 'chat';
      post(v.message.trim());
      showView();
    };
  };

  const toEnded = () => {
    view = 'ended';
    typing.textContent = '';
    endBtn.hidden = true;
    const ended_ = conv;
    conv = '';
    save({ conversation: '' });
    ended.replaceChildren(el('p', { class: 'center', text: t('widget.ended') }));
    // CSAT hook: the survey service stores the score; the widget asks and
    // sends a rate frame, and tells the host page too.
    const thanks = el('p', { class: 'center', role: 'status' });
    const scores = el('div', { class: 'csat' });
    for (let n = 1; n <= 5; n++) {
      scores.append(
        el('button', {
          class: 'btn quiet',
          type: 'button',
          'data-score': n,
          'aria-label': t('widget.csat_score', { score: n }),
          text: digits(n),
          onclick: () => {
            frame({ type: 'rate', score: n });
            window.dispatchEvent(new CustomEvent('layan-chat:rated', { detail: { conversation: ended_, score: n } }));
            csat.remove();
            thanks.textContent = t('widget.csat_thanks');
          },
        }),
      );
    }
    const csat = el('div', { class: 'stack' }, el('p', { class: 'center', text: t('widget.csat_question') }), scores);
    const tr = el('form', { class: 'stack' });
    const email = (saved.profile && saved.profile.email) || ds.email || '';
    tr.append(
      field('email', t('widget.email'), { type: 'email', dir: 'ltr', required: true, value: email }),
      el('button', { class: 'btn quiet', type: 'submit', text: t('widget.transcript') }),
    );
    tr.onsubmit = (e) => {
      e.preventDefault();
      const v = new FormData(tr).get('email');
      if (!validEmail(v)) return;
      frame({ type: 'transcript', email: v });
      tr.replaceWith(el('p', { class: 'center', role: 'status', text: t('widget.transcript_sent') }));
    };
    const again = el('button', {
      class: 'btn',
      type: 'button',
      text: t('widget.new_chat'),
      onclick: () => {
        list.replaceChildren();
        seen.clear();
        lastSeq = readSeq = agentRead = 0;
        status = '';
        view = 'idle';
        showView();
      },
    });
    ended.append(csat, thanks, tr, again);
    if (isOpen()) showView();
  };
  endBtn.addEventListener('click', () => {
    if (confirm(t('widget.end_confirm'))) frame({ type: 'end' });
  });

  // showView picks what the panel shows for the current state.
  const showView = () => {
    if (view === 'idle' || (view === 'chat' && !conv && !list.children.length)) {
      if (conv || list.children.length) view = 'chat';
      else if (online === false) view = 'offline';
      else if (prechatFields.length && !saved.profile && !identity && view !== 'chat') view = 'prechat';
      else view = 'chat';
    }
    if (view === 'prechat') {
      buildPrechat();
      show(prechat);
    } else if (view === 'offline') {
      buildOffline();
      show(offline);
    } else if (view === 'ended') show(ended);
    else show(chatView);
  };

  // ---- open and close.
  const open = () => {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute('aria-expanded', 'true');
    showView();
    clearUnread();
    scrollDown();
    markRead();
    if (view === 'chat') input.focus();
    save({ open: true });
  };
  const close = () => {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute('aria-expanded', 'false');
    save({ open: false });
    launcher.focus();
  };
  launcher.addEventListener('click', open);
  closeBtn.addEventListener('click', close);
  wrap.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && isOpen()) close();
  });

  // A small API for host pages (and tests).
  window.LayanChat = { open, close, lang };

  const start = () => {
    document.body.append(host);
    connect();
    if (saved.open) open();
  };
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start);
})();
