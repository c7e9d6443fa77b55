// The agents' chat desk (/agent/chat): the live queue, chats side by side,
// presence with automatic away, canned replies, transfer, end, transcript,
// and the focused customer's history. It speaks the agent side of
// docs/chat-protocol.md: one WebSocket for live frames, JSON endpoints for
// actions. Chat text is only ever set with textContent.
import { csrf, digits, fill } from './util.js';

const desk = document.getElementById('chat-desk');
const msg = desk.dataset;
const api = '/api/layan/v1/chat/';
const $ = (sel, root = document) => root.querySelector(sel);

const queueList = $('#chat-queue');
const queueEmpty = $('#chat-queue-empty');
const queueCount = $('#chat-queue-count');
const panesBox = $('#chat-panes');
const panesEmpty = $('#chat-panes-empty');
const history = $('#chat-history');
const presence = $('#chat-presence');
const conn = $('#chat-conn');
const alertBox = $('#chat-alert');

// ---- small helpers.
const request = async (method, path, body) => {
  const res = await fetch(api + path, {
    method,
    credentials: 'same-origin',
    headers: { 'X-CSRF-Token': csrf(), 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = {};
  try {
    data = await res.json();
  } catch (_) {
    /* empty body */
  }
  if (!res.ok) {
    const err = new Error(data.error || String(res.status));
    err.code = data.error || '';
    throw err;
  }
  return data;
};
// reason is the translated explanation of an error code (data-msg-CODE).
const reason = (code) => {
  const key = 'msg' + String(code || '').split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  return msg[key] || msg.msgGeneric;
};
const showAlert = (text) => {
  alertBox.textContent = text || '';
  alertBox.hidden = !text;
};
const clock = (ms) => {
  const d = new Date(ms || Date.now());
  return digits(String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0'));
};
const duration = (sec) => {
  sec = Math.max(0, Math.floor(sec));
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = String(sec % 60).padStart(2, '0');
  return digits(h ? h + ':' + String(m).padStart(2, '0') + ':' + s : m + ':' + s);
};
const nameOf = (c) => (c && (c.visitor_name || c.visitor || (c.customer && c.customer.name) || c.name)) || msg.msgVisitor;

// ---- notifications while the tab is hidden.
const baseTitle = document.title;
let unseen = 0;
const ping = (text) => {
  if (!document.hidden) return;
  unseen++;
  document.title = '(' + digits(unseen) + ') ' + text + ' · ' + baseTitle;
};
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) {
    unseen = 0;
    document.title = baseTitle;
    if (focused) focused.markRead();
  }
});

// ---- the socket.
let ws = null;
let retry = 0;
let nextRef = 1;
const send = (f) => {
  if (ws && ws.readyState === 1) {
    ws.send(JSON.stringify(f));
    return true;
  }
  return false;
};
const setConn = (state) => {
  conn.dataset.state = state;
  conn.textContent = msg['msgConn' + state[0].toUpperCase() + state.slice(1)];
};
const connect = () => {
  const u = new URL('/api/layan/v1/chat/agent/ws', location.href);
  u.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const sock = new WebSocket(u.href);
  ws = sock;
  let beat = null;
  sock.onopen = () => {
    retry = 0;
    setConn('open');
    beat = setInterval(() => send({ type: 'ping' }), 25000);
  };
  sock.onmessage = (e) => {
    let f;
    try {
      f = JSON.parse(e.data);
    } catch (_) {
      return;
    }
    handle(f);
  };
  sock.onclose = () => {
    clearInterval(beat);
    if (ws === sock) ws = null;
    setConn('lost');
    desk.dataset.live = 'closed';
    const wait = Math.min(30000, 1000 * 2 ** retry++) * (0.7 + Math.random() * 0.6);
    setTimeout(connect, wait);
  };
};

const handle = (f) => {
  const pane = f.conversation && panes.get(f.conversation);
  switch (f.type) {
    case 'welcome':
      desk.dataset.live = 'open';
      presence.disabled = false;
      if (f.presence) setPresence(f.presence, false);
      else loadPresence();
      for (const c of f.active || []) openPane(c, false);
      // Resume every open chat from its last seq (after a reconnect this
      // replays exactly what was missed).
      // Replies sent but not acknowledged go again, with the same ref.
      for (const p of panes.values()) {
        if (p.ended) continue;
        p.subscribe();
        for (const { frame } of p.pending.values()) send(frame);
      }
      break;
    case 'queue':
      renderQueue(f.items || []);
      break;
    case 'assigned':
      openPane({ id: f.conversation, ticket_id: f.ticket_id, status: 'active' }, true);
      break;
    case 'message':
      if (pane) pane.add(f);
      break;
    case 'ack':
      if (pane) pane.ack(f);
      break;
    case 'status':
      if (pane) pane.status(f);
      break;
    case 'typing':
      if (pane && f.from === 'visitor') pane.typing(f.on);
      break;
    case 'read':
      if (pane && f.by === 'visitor') pane.visitorRead(f.seq);
      break;
    case 'presence':
      if (f.agent_id === undefined || String(f.agent_id) === msg.me) setPresence(f.status, false);
      break;
    case 'error':
      if (f.ref) {
        for (const p of panes.values()) p.failed(f.ref, f.code, f.message);
      } else showAlert(f.message || reason(f.code));
      break;
  }
};

// ---- the queue.
let queue = [];
let queueSize = 0;
const queueTmpl = $('#chat-queue-item');
const renderQueue = (items) => {
  if (items.length > queueSize) ping(msg.msgNewInQueue);
  queueSize = items.length;
  queue = items.map((it) => Object.assign({ since: it.waiting_since || Date.now() - (it.waiting_seconds || 0) * 1000 }, it));
  queueList.replaceChildren(
    ...queue.map((it) => {
      const li = queueTmpl.content.firstElementChild.cloneNode(true);
      li.dataset.conversation = it.conversation;
      $('[data-name]', li).textContent = it.visitor || msg.msgVisitor;
      $('[data-topic]', li).textContent = it.topic ? '· ' + it.topic : '';
      $('[data-preview]', li).textContent = it.preview || '';
      $('[data-accept]', li).addEventListener('click', () => accept(it, li));
      return li;
    }),
  );
  queueEmpty.hidden = queue.length > 0;
  queueCount.textContent = queue.length ? '(' + digits(queue.length) + ')' : '';
  tickQueue();
};
const tickQueue = () => {
  const now = Date.now();
  for (const li of queueList.children) {
    const it = queue.find((q) => q.conversation === li.dataset.conversation);
    if (!it) continue;
    const w = $('[data-wait]', li);
    fill(w, msg.msgWaiting, { time: duration((now - it.since) / 1000) });
    li.classList.toggle('is-long', now - it.since > 60000);
  }
};
setInterval(tickQueue, 1000);

const accept = async (it, li) => {
  const btn = $('[data-accept]', li);
  btn.disabled = true;
  try {
    const out = await request('POST', 'conversations/' + encodeURIComponent(it.conversation) + '/accept');
    showAlert('');
    const c = Object.assign({ id: it.conversation, ticket_id: it.ticket_id, visitor: it.visitor, topic: it.topic }, out.conversation || {});
    openPane(c, true);
  } catch (err) {
    btn.disabled = false;
    showAlert(fillText(msg.msgAcceptFailed, { reason: reason(err.code) }));
  }
};
const fillText = (m, vars) => {
  const s = document.createElement('span');
  fill(s, m, vars);
  return s.textContent;
};

// ---- chat panes, side by side.
const panes = new Map();
let focused = null;
const paneTmpl = $('#chat-pane');

const openPane = (c, focus) => {
  let p = panes.get(c.id);
  if (p) {
    p.update(c);
  } else {
    p = new Pane(c);
    panes.set(c.id, p);
    panesBox.append(p.el);
    p.subscribe();
  }
  panesEmpty.hidden = panes.size > 0;
  desk.dataset.chats = String(panes.size);
  if (focus) p.focus();
  return p;
};

class Pane {
  constructor(c) {
    this.id = c.id;
    // lastSeq: every message up to it is here (resume asks for what follows;
    // our own acknowledged reply may be ahead of it).
    this.lastSeq = 0;
    this.seen = new Set();
    this.pending = new Map(); // ref → li, until acknowledged
    this.visitorReadSeq = 0;
    this.readSent = 0;
    this.ended = false;
    const el = paneTmpl.content.firstElementChild.cloneNode(true);
    this.el = el;
    el.dataset.conversation = c.id;
    this.log = $('[data-log]', el);
    this.input = $('[data-input]', el);
    this.note = $('[data-note]', el);
    this.typingEl = $('[data-typing]', el);
    this.update(c);
    el.addEventListener('focusin', () => this.focus(true));
    el.addEventListener('pointerdown', () => this.focus(true));
    $('[data-compose]', el).addEventListener('submit', (e) => {
      e.preventDefault();
      this.reply();
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.reply();
      }
    });
    this.input.addEventListener('input', () => this.typingInput());
    const canned = $('[data-canned]', el);
    fillCanned(canned);
    canned.addEventListener('change', () => {
      const item = cannedList.find((x) => String(x.id) === canned.value);
      canned.value = '';
      if (!item) return;
      const at = this.input.selectionStart ?? this.input.value.length;
      const v = this.input.value;
      this.input.value = v.slice(0, at) + item.body + v.slice(at);
      this.input.focus();
    });
    $('[data-transfer]', el).addEventListener('submit', (e) => {
      e.preventDefault();
      this.transfer($('[data-transfer-to]', el).value);
    });
    $('[data-end]', el).addEventListener('click', () => this.end());
    $('[data-transcript]', el).addEventListener('click', () => this.transcript());
    $('[data-close]', el).addEventListener('click', () => this.close());
  }

  update(c) {
    if (c.ticket_id) this.ticketId = c.ticket_id;
    const name = nameOf(c);
    if (name !== msg.msgVisitor || !this.name) this.name = name;
    $('[data-name]', this.el).textContent = this.name;
    const link = $('[data-ticket-link]', this.el);
    link.hidden = !this.ticketId;
    if (this.ticketId) {
      link.href = '/agent/tickets/' + this.ticketId;
      $('[data-ticket-id]', this.el).textContent = '#' + digits(this.ticketId);
    }
    const topic = $('[data-topic]', this.el);
    if (c.topic) fill(topic, msg.msgTopic, { topic: c.topic });
    topic.hidden = !c.topic && topic.hidden;
    if (c.status === 'ended') this.setEnded();
  }

  advance() {
    while (this.seen.has(this.lastSeq + 1)) this.lastSeq++;
  }

  subscribe() {
    send({ type: 'subscribe', conversation: this.id, after: this.lastSeq });
  }

  focus(fromEvent) {
    if (focused !== this) {
      if (focused) focused.el.classList.remove('is-focused');
      focused = this;
      this.el.classList.add('is-focused');
      loadHistory(this);
    }
    if (!fromEvent) this.input.focus();
    this.markRead();
  }

  // add shows a committed message once, in seq order.
  add(m) {
    if (!m.seq || this.seen.has(m.seq)) return;
    this.seen.add(m.seq);
    const li = this.render(m);
    let before = this.log.querySelector('li.pending');
    for (const c of this.log.children) {
      if (Number(c.dataset.seq || 0) > m.seq) {
        before = c;
        break;
      }
    }
    this.log.insertBefore(li, before);
    this.advance();
    const kind = m.author && m.author.kind;
    if (kind === 'visitor') {
      this.typing(false);
      if (m.author.name && this.name === msg.msgVisitor) this.update({ visitor: m.author.name });
      if (focused !== this || document.hidden) {
        this.el.classList.add('has-new');
        ping(msg.msgNewMessage);
      }
    }
    this.log.scrollTop = this.log.scrollHeight;
    if (focused === this) this.markRead();
  }

  render(m) {
    const kind = (m.author && m.author.kind) || 'system';
    const li = document.createElement('li');
    li.className = 'chat-msg from-' + kind;
    if (m.seq) li.dataset.seq = m.seq;
    if (kind !== 'system') {
      const head = document.createElement('div');
      head.className = 'chat-msg-head';
      const who = document.createElement('bdi');
      who.textContent = (m.author && m.author.name) || (kind === 'visitor' ? this.name : '');
      const when = document.createElement('time');
      when.textContent = clock(m.at);
      head.append(who, ' ', when);
      li.append(head);
    }
    const body = document.createElement('div');
    body.className = 'chat-msg-body';
    body.dir = 'auto';
    body.textContent = m.text || '';
    li.append(body);
    for (const f of m.attachments || []) {
      const a = document.createElement('a');
      a.href = f.url || api + 'files/' + encodeURIComponent(f.token);
      a.download = '';
      a.textContent = f.name || f.token;
      li.append(a);
    }
    if (kind === 'agent') {
      const r = document.createElement('span');
      r.className = 'chat-receipt muted';
      li.append(r);
      this.receipt(li);
    }
    return li;
  }

  receipt(li) {
    const r = li.querySelector('.chat-receipt');
    if (!r) return;
    const seq = Number(li.dataset.seq || 0);
    const st = !seq ? 'sending' : seq <= this.visitorReadSeq ? 'read' : 'sent';
    li.dataset.state = st;
    r.textContent = st === 'sending' ? msg.msgSending : st === 'read' ? '✓✓ ' + msg.msgRead : '✓ ' + msg.msgSent;
  }

  reply() {
    const text = this.input.value.trim();
    if (!text || this.ended) return;
    const ref = 'a' + Date.now().toString(36) + '-' + nextRef++;
    const li = this.render({ author: { kind: 'agent', name: document.querySelector('.whoami bdi')?.textContent || '' }, text, at: Date.now() });
    li.classList.add('pending');
    li.dataset.ref = ref;
    this.log.append(li);
    this.log.scrollTop = this.log.scrollHeight;
    this.pending.set(ref, { li, frame: { type: 'send', conversation: this.id, ref, text } });
    this.input.value = '';
    this.typingOff(); // before the message, so the indicator goes with it
    if (!send(this.pending.get(ref).frame)) this.resendLater();
  }

  // resendLater posts unacknowledged replies through the JSON endpoint
  // when the socket is down; the ref makes a double delivery impossible.
  resendLater() {
    for (const [ref, p] of this.pending) {
      request('POST', 'conversations/' + encodeURIComponent(this.id) + '/messages', { text: p.frame.text, ref })
        .then((out) => this.ack(Object.assign({ ref }, out.message || {})))
        .catch((err) => this.failed(ref, err.code));
    }
  }

  ack(f) {
    const p = this.pending.get(f.ref);
    if (!p) return;
    this.pending.delete(f.ref);
    if (!f.seq || this.seen.has(f.seq)) {
      p.li.remove();
      return;
    }
    this.seen.add(f.seq);
    p.li.classList.remove('pending');
    p.li.removeAttribute('data-ref');
    p.li.dataset.seq = f.seq;
    this.advance();
    this.receipt(p.li);
  }

  failed(ref, code, text) {
    const p = this.pending.get(ref);
    if (!p) return;
    this.pending.delete(ref);
    p.li.classList.add('failed');
    fill(p.li.querySelector('.chat-receipt'), msg.msgFailed, { reason: text || reason(code) });
  }

  visitorRead(seq) {
    if (seq <= this.visitorReadSeq) return;
    this.visitorReadSeq = seq;
    for (const li of this.log.querySelectorAll('li.from-agent')) this.receipt(li);
  }

  markRead() {
    this.el.classList.remove('has-new');
    if (document.hidden || this.lastSeq <= this.readSent) return;
    this.readSent = this.lastSeq;
    send({ type: 'read', conversation: this.id, seq: this.lastSeq });
  }

  typing(on) {
    clearTimeout(this.typingTimer);
    if (on) {
      fill(this.typingEl, msg.msgTyping, { name: this.name });
      this.typingTimer = setTimeout(() => this.typing(false), 8000);
    } else this.typingEl.textContent = '';
  }

  typingInput() {
    if (!this.input.value.trim()) {
      this.typingOff();
      return;
    }
    if (!this.typingOn || Date.now() - this.typingAt > 4000) {
      this.typingOn = true;
      this.typingAt = Date.now();
      send({ type: 'typing', conversation: this.id, on: true });
    }
    clearTimeout(this.typingIdle);
    this.typingIdle = setTimeout(() => this.typingOff(), 3000);
  }

  typingOff() {
    clearTimeout(this.typingIdle);
    if (this.typingOn) send({ type: 'typing', conversation: this.id, on: false });
    this.typingOn = false;
  }

  status(f) {
    if (f.status === 'ended') this.setEnded();
    else if (f.agent && String(f.agent.id) !== msg.me && f.status === 'active') this.gone(msg.msgTransferred);
    else if (f.status === 'queued') this.gone(msg.msgTransferred);
  }

  setNote(text) {
    this.note.textContent = text;
    this.note.hidden = !text;
  }

  setEnded() {
    if (this.ended) return;
    this.ended = true;
    this.el.classList.add('is-ended');
    this.typing(false);
    this.setNote(msg.msgEnded);
    $('[data-compose]', this.el).hidden = true;
    $('[data-transfer]', this.el).hidden = true;
    $('[data-end]', this.el).hidden = true;
    $('[data-close]', this.el).hidden = false;
    send({ type: 'unsubscribe', conversation: this.id });
  }

  // gone: the chat is no longer this agent's (transferred): say so, then close.
  gone(text) {
    if (this.ended) return;
    this.setEnded();
    this.setNote(text);
  }

  async transfer(value) {
    const [kind, id] = String(value).split(':');
    if (!id) return;
    try {
      await request('POST', 'conversations/' + encodeURIComponent(this.id) + '/transfer', { [kind + '_id']: Number(id) });
      this.gone(msg.msgTransferred);
    } catch (err) {
      this.setNote(fillText(msg.msgFailed, { reason: reason(err.code) }));
    }
  }

  async end() {
    if (!confirm(msg.msgEndConfirm)) return;
    try {
      await request('POST', 'conversations/' + encodeURIComponent(this.id) + '/end');
      this.setEnded();
    } catch (err) {
      this.setNote(fillText(msg.msgFailed, { reason: reason(err.code) }));
    }
  }

  async transcript() {
    try {
      await request('POST', 'conversations/' + encodeURIComponent(this.id) + '/transcript', {});
      this.setNote(msg.msgTranscriptSent);
    } catch (err) {
      this.setNote(fillText(msg.msgFailed, { reason: reason(err.code) }));
    }
  }

  close() {
    panes.delete(this.id);
    this.el.remove();
    if (focused === this) {
      focused = null;
      history.replaceChildren();
    }
    panesEmpty.hidden = panes.size > 0;
    desk.dataset.chats = String(panes.size);
  }
}

// ---- canned replies (from the chat service; admins manage them).
let cannedList = [];
const fillCanned = (select) => {
  for (const c of cannedList) {
    const o = document.createElement('option');
    o.value = c.id;
    o.textContent = c.title;
    select.append(o);
  }
};
const loadCanned = async () => {
  try {
    const out = await request('GET', 'canned');
    cannedList = out.canned || out.items || [];
    for (const p of panes.values()) fillCanned($('[data-canned]', p.el));
  } catch (_) {
    /* no canned replies: the picker stays empty */
  }
};

// ---- the focused customer's history.
// label translates a ticket status or channel (the page lists them).
const label = (kind, v) => {
  const el = v && document.querySelector('#chat-labels [data-' + kind + '="' + CSS.escape(v) + '"]');
  return el ? el.textContent : v;
};
const loadHistory = async (pane) => {
  try {
    const out = await request('GET', 'conversations/' + encodeURIComponent(pane.id) + '/history');
    if (focused !== pane) return;
    const items = (out.tickets || out.history || [])
      .map((t) => Object.assign({ id: t.ticket_id || t.id }, t))
      .filter((t) => t.id !== pane.ticketId);
    if (!items.length) {
      const p = document.createElement('p');
      p.className = 'muted';
      p.textContent = msg.msgHistoryNone;
      history.replaceChildren(p);
      return;
    }
    const ul = document.createElement('ul');
    ul.className = 'mini-tickets';
    for (const t of items) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = '/agent/tickets/' + t.id;
      const id = document.createElement('span');
      id.className = 'tid';
      id.textContent = '#' + digits(t.id);
      const subj = document.createElement('span');
      subj.dir = 'auto';
      subj.textContent = t.subject || '';
      a.append(id, ' ', subj);
      const meta = document.createElement('span');
      meta.className = 'mini-meta muted';
      meta.textContent = [label('status', t.status), label('via', t.via)].filter(Boolean).join(' · ');
      li.append(a, meta);
      ul.append(li);
    }
    history.replaceChildren(ul);
  } catch (_) {
    /* the history is a help, not a must */
  }
};

// ---- presence, and automatic away when the agent is idle.
const loadPresence = async () => {
  try {
    const out = await request('GET', 'presence');
    const me = (out.agents || []).find((p) => String(p.agent_id) === msg.me);
    if (me) setPresence(me.status, false);
  } catch (_) {
    /* the select keeps what it shows */
  }
};
let autoAway = false;
function setPresence(status, tell) {
  presence.value = status;
  desk.dataset.presence = status;
  if (tell && !send({ type: 'presence', status })) {
    request('PUT', 'presence', { status }).catch(() => {});
  }
}
presence.addEventListener('change', () => {
  autoAway = false;
  setPresence(presence.value, true);
});
const idleMs = Number(msg.idleMinutes || 5) * 60000;
let idleTimer = null;
const active = () => {
  clearTimeout(idleTimer);
  if (autoAway) {
    autoAway = false;
    showAlert('');
    setPresence('online', true);
  }
  idleTimer = setTimeout(() => {
    if (presence.value === 'online') {
      autoAway = true;
      setPresence('away', true);
      showAlert(msg.msgAutoAway);
    }
  }, idleMs);
};
for (const ev of ['pointerdown', 'keydown', 'pointermove', 'focus']) {
  window.addEventListener(ev, active, { passive: true });
}
active();

// ---- start: my open chats, canned replies, then the live socket.
const start = async () => {
  setConn('connecting');
  try {
    const out = await request('GET', 'conversations?status=active&mine=true');
    for (const c of out.conversations || []) openPane(c, false);
  } catch (_) {
    /* the socket's assigned frames still bring them */
  }
  loadCanned();
  connect();
};
start();
