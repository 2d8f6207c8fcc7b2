// The waiting-room page: sign in at the api, hold a place, follow the queue live over socket.io.
// Plain ES module, no build step. The server is the source of truth: on every (re)connect the page
// asks for its status with `watch` and renders it; ticks in between only move the serving number.

/** socket.io's browser client, served by the waiting room itself (preloaded by room.html). */
const SOCKET_IO_CLIENT = '/socket.io/socket.io.esm.min.js';

const API_URL = document.querySelector('meta[name="rushline-api"]').content.replace(/\/$/, '');
const ROOM_ID = Number(/\/rooms\/(\d+)\//.exec(location.pathname)?.[1]);

const AUTH_KEY = 'rushline.auth';
const ADMISSION_KEY = `rushline.admission.${ROOM_ID}`;
const START_KEY = `rushline.start.${ROOM_ID}`;

const WATCH_TIMEOUT_MS = 5_000;
/** Spreads the crowd's requests after an opening over a second instead of one instant. */
const JITTER_MS = 1_000;
/** After a scheduled time passes without news, how often to ask again. */
const RETRY_MS = 3_000;
/** Screen readers hear the position at most this often (ticks come about once a second). */
const ANNOUNCE_EVERY_MS = 30_000;

const $ = (id) => document.getElementById(id);

const page = {
  state: 'loading',
  /** Summary from GET /rooms/:id (name, times, configured rate); null until loaded. */
  room: null,
  /** The last RoomStatusView from the server, kept current by ticks. */
  status: null,
  /** Server clock minus this browser's clock, from the last status or tick. */
  clockOffsetMs: 0,
  /** { token, expiresAt (ms), queueNumber } while admitted. */
  admission: null,
  socket: null,
  joining: false,
  lastJoinAt: 0,
  lastWatchAt: 0,
  watchInFlight: false,
  joinTimer: undefined,
  rewatchTimer: undefined,
  lastAnnounced: { text: '', at: 0 },
};

// ---------------------------------------------------------------- storage

function loadAuth() {
  try {
    return JSON.parse(sessionStorage.getItem(AUTH_KEY) ?? 'null');
  } catch {
    return null;
  }
}

function saveAuth(tokens) {
  sessionStorage.setItem(
    AUTH_KEY,
    JSON.stringify({
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      user: tokens.user,
    }),
  );
}

function clearSession() {
  sessionStorage.removeItem(AUTH_KEY);
  sessionStorage.removeItem(ADMISSION_KEY);
  sessionStorage.removeItem(START_KEY);
}

// ---------------------------------------------------------------- http

class ApiError extends Error {
  constructor(code, message, status = 0) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

async function requestJson(url, { method = 'GET', body, token } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError('NETWORK', 'Could not reach the server. Check your connection and try again.');
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const err = data?.error;
    throw new ApiError(
      err?.code ?? 'HTTP_' + res.status,
      err?.message ?? `The server answered ${res.status}`,
      res.status,
    );
  }
  return data;
}

/** A request with the access token; refreshes it once if it has expired. */
async function authedJson(url, options = {}) {
  try {
    return await requestJson(url, { ...options, token: loadAuth()?.accessToken });
  } catch (err) {
    if (err.code !== 'TOKEN_EXPIRED') throw err;
    await refreshTokens();
    return requestJson(url, { ...options, token: loadAuth()?.accessToken });
  }
}

// ---------------------------------------------------------------- auth

let refreshing;

/** Rotates the refresh token; concurrent callers share one request (a second use would revoke the family). */
function refreshTokens() {
  refreshing ??= (async () => {
    try {
      const auth = loadAuth();
      if (!auth?.refreshToken) throw new ApiError('UNAUTHENTICATED', 'Please sign in again.');
      saveAuth(
        await requestJson(`${API_URL}/api/auth/refresh`, {
          method: 'POST',
          body: { refreshToken: auth.refreshToken },
        }),
      );
    } catch (err) {
      // Refused (expired, revoked, reused): only signing in again helps. Anything else is retried later.
      if (err.status === 401 || err.code === 'UNAUTHENTICATED') {
        signOut('Your session has ended. Please sign in again.');
      }
      throw err;
    } finally {
      refreshing = undefined;
    }
  })();
  return refreshing;
}

async function onSignIn(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username || !password) {
    showSignInError('Enter your username and password.');
    return;
  }
  $('signin-submit').disabled = true;
  showSignInError('');
  try {
    saveAuth(
      await requestJson(`${API_URL}/api/auth/login`, { method: 'POST', body: { username, password } }),
    );
    form.reset();
    start();
  } catch (err) {
    showSignInError(err.message);
  } finally {
    $('signin-submit').disabled = false;
  }
}

function signOut(reason = '') {
  const auth = loadAuth();
  if (auth?.refreshToken) {
    // Best effort: the session ends in this tab whether or not the api hears about it.
    requestJson(`${API_URL}/api/auth/logout`, {
      method: 'POST',
      body: { refreshToken: auth.refreshToken },
    }).catch(() => undefined);
  }
  clearSession();
  stopLive();
  page.status = null;
  page.admission = null;
  showSignInError(reason);
  setState('signed-out');
}

function showSignInError(text) {
  $('signin-error').textContent = text;
  $('signin-error').hidden = text === '';
}

// ---------------------------------------------------------------- clock

const serverNow = () => Date.now() + page.clockOffsetMs;

/** Learns the server's clock from a message stamped at `serverTime` that took about `latencyMs` to arrive. */
function syncClock(serverTime, latencyMs = 0) {
  const stamp = Date.parse(serverTime);
  if (Number.isFinite(stamp)) page.clockOffsetMs = stamp + latencyMs - Date.now();
}

// ---------------------------------------------------------------- live connection

/** Loaded on demand, so the page (sign-in included) still works and can say so if it fails to load. */
async function loadSocketIo() {
  try {
    const { io } = await import(SOCKET_IO_CLIENT);
    if (typeof io !== 'function') throw new Error('no io export');
    return io;
  } catch {
    showError('Live updates could not be loaded. Check your connection, then reload the page.');
    return null;
  }
}

async function startLive() {
  if (page.socket) return;
  const io = await loadSocketIo();
  if (!io || page.socket || !loadAuth()) return;
  const socket = io({
    // A function, so every reconnect hands over the newest access token.
    auth: (cb) => cb({ token: loadAuth()?.accessToken ?? '' }),
    transports: ['websocket', 'polling'],
    // One socket per page; a new sign-in in this tab gets a fresh connection, not a cached one.
    forceNew: true,
  });
  socket.on('connect', () => {
    showConnection(true);
    watch();
  });
  socket.on('disconnect', (reason) => {
    showConnection(false);
    // socket.io retries by itself except after a server-side disconnect; this page always wants back in.
    if (reason === 'io server disconnect') setTimeout(() => page.socket?.connect(), RETRY_MS + jitter());
  });
  socket.on('connect_error', (err) => void onConnectError(err));
  socket.on('room:tick', onTick);
  socket.on('room:phase', onPhase);
  socket.on('room:message', (msg) => msg.roomId === ROOM_ID && showMessage(msg.message));
  socket.on('admitted', (msg) => msg.roomId === ROOM_ID && onAdmitted(msg));
  // An operator revoked this person's admission: the room's answer to `watch` says what now holds.
  socket.on('admission:revoked', (msg) => msg.roomId === ROOM_ID && watch());
  page.socket = socket;
}

function stopLive() {
  page.socket?.disconnect();
  page.socket = null;
  clearTimeout(page.rewatchTimer);
  clearTimeout(page.joinTimer);
  page.rewatchTimer = page.joinTimer = undefined;
  page.watchInFlight = false;
  showConnection(true);
}

/** The server refused the handshake (socket.io then stops retrying) or the network failed (it retries). */
async function onConnectError(err) {
  const code = err.data?.code;
  if (code === 'TOKEN_EXPIRED') {
    // A failed refresh either signed out (page.socket is gone) or met the network: try again shortly.
    await refreshTokens().catch(() => new Promise((resolve) => setTimeout(resolve, RETRY_MS)));
    page.socket?.connect();
  } else if (code) {
    signOut(err.data.message ?? 'Please sign in again.');
  } else {
    showConnection(false);
  }
}

function watch() {
  const socket = page.socket;
  if (!socket?.connected) return;
  page.lastWatchAt = Date.now();
  page.watchInFlight = true;
  const sentAt = Date.now();
  socket.timeout(WATCH_TIMEOUT_MS).emit('watch', { roomId: ROOM_ID }, (timedOut, reply) => {
    page.watchInFlight = false;
    if (timedOut) {
      scheduleRewatch(RETRY_MS);
      return;
    }
    if (!reply.ok) {
      onWatchError(reply.error);
      return;
    }
    showError('');
    syncClock(reply.status.serverTime, (Date.now() - sentAt) / 2);
    applyStatus(reply.status);
  });
}

function onWatchError(error) {
  if (error.code === 'ROOM_NOT_FOUND' || error.code === 'VALIDATION_FAILED') {
    showFatal(error.message);
  } else {
    showError(error.message);
    scheduleRewatch(RETRY_MS);
  }
}

/** Asks for the status again after `delayMs`; not while an answer is pending or a request is in flight. */
function scheduleRewatch(delayMs) {
  if (page.rewatchTimer !== undefined || page.watchInFlight) return;
  page.rewatchTimer = setTimeout(() => {
    page.rewatchTimer = undefined;
    watch();
  }, delayMs);
}

const jitter = () => Math.floor(Math.random() * JITTER_MS);

// ---------------------------------------------------------------- joining

async function join() {
  if (page.joining) return;
  page.joining = true;
  page.lastJoinAt = Date.now();
  try {
    const joined = await authedJson(`${location.origin}/rooms/${ROOM_ID}/join`, {
      method: 'POST',
      body: { clientRequestId: newRequestId() },
    });
    // Enough to stop asking again; the full view (opening time, estimates) comes with `watch`.
    if (page.status) {
      Object.assign(page.status, {
        joined: true,
        phase: joined.phase,
        queueNumber: joined.queueNumber,
        servingNumber: joined.servingNumber,
      });
    }
    showError('');
    watch();
  } catch (err) {
    onJoinError(err);
  } finally {
    page.joining = false;
  }
}

function onJoinError(err) {
  if (!loadAuth()) return; // the refresh failed and signed out; the sign-in form says why
  if (err.code === 'ROOM_NOT_OPEN') {
    // The clocks disagreed by a little: the 1-second clock tick tries again shortly.
    if (page.status) page.status.phase = 'idle';
    render();
  } else if (err.code === 'ROOM_CLOSED') {
    if (page.status) page.status.phase = 'closed';
    render();
  } else if (err.code === 'TOKEN_INVALID' || err.code === 'UNAUTHENTICATED') {
    signOut(err.message);
  } else {
    showError(err.message);
  }
}

/** 24 hex digits. (crypto.randomUUID would need a secure context; a plain-http deployment is not one.) */
function newRequestId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Joins after a random jitter; at most one pending, and not again within RETRY_MS of the last try. */
function scheduleJoin() {
  if (page.joinTimer !== undefined || page.joining || Date.now() - page.lastJoinAt < RETRY_MS) return;
  page.joinTimer = setTimeout(() => {
    page.joinTimer = undefined;
    void join();
  }, jitter());
}

// ---------------------------------------------------------------- server events

function applyStatus(status) {
  page.status = { ...status };
  showMessage(status.message);
  if (status.admissionToken) {
    setAdmission({
      token: status.admissionToken,
      expiresAt: tokenExpiry(status.admissionToken),
      queueNumber: status.queueNumber,
    });
  } else if (status.admitted) {
    // Let in, but the server no longer holds a token: it expired (or an operator withdrew it).
    // A status without `admitted` next to a held admission is older than the `admitted` message: ignore it.
    forgetAdmission();
  }
  if (!status.joined && (status.phase === 'prequeue' || status.phase === 'open')) void join();
  render();
}

function onTick(tick) {
  const status = page.status;
  if (tick.roomId !== ROOM_ID || !status) return;
  syncClock(tick.serverTime);
  Object.assign(status, {
    phase: tick.phase,
    paused: tick.paused,
    servingNumber: tick.servingNumber,
    admittedPerMin: tick.admittedPerMin,
    waiting: tick.waiting,
  });
  followUp(status);
  render();
}

function onPhase(msg) {
  const status = page.status;
  if (msg.roomId !== ROOM_ID || !status) return;
  Object.assign(status, { phase: msg.phase, paused: msg.paused });
  followUp(status);
  render();
}

/** What a moved room means for this person: a number to learn, a place to take, a turn to collect. */
function followUp(status) {
  if (!status.joined) {
    if (status.phase === 'prequeue' || status.phase === 'open') scheduleJoin();
  } else if (status.queueNumber === null && status.phase === 'open') {
    // Everyone in the pre-queue learns their number now: spread the crowd's requests over a second.
    scheduleRewatch(jitter());
  } else if (status.queueNumber !== null && status.queueNumber <= status.servingNumber && !page.admission) {
    // Our number was called; the personal `admitted` message may have been missed (e.g. during a reconnect).
    if (!status.admitted) scheduleRewatch(jitter());
  }
}

function onAdmitted(msg) {
  const status = page.status;
  if (status) Object.assign(status, { admitted: true, queueNumber: msg.queueNumber });
  setAdmission({
    token: msg.admissionToken,
    expiresAt: Date.parse(msg.expiresAt),
    queueNumber: msg.queueNumber,
  });
  render();
}

// ---------------------------------------------------------------- admission

function setAdmission(admission) {
  const isNew = page.admission?.token !== admission.token;
  page.admission = admission;
  if (!isNew) return;
  sessionStorage.setItem(ADMISSION_KEY, admission.token);
  window.dispatchEvent(
    new CustomEvent('rushline:admitted', {
      detail: {
        roomId: ROOM_ID,
        queueNumber: admission.queueNumber,
        admissionToken: admission.token,
        expiresAt: new Date(admission.expiresAt).toISOString(),
      },
    }),
  );
}

function forgetAdmission() {
  page.admission = null;
  sessionStorage.removeItem(ADMISSION_KEY);
}

/** The expiry of an admission token (a JWT): readable without the key, which only the api needs. */
function tokenExpiry(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload)).exp * 1000;
  } catch {
    return NaN;
  }
}

// ---------------------------------------------------------------- state and rendering

function deriveState(status) {
  if (page.admission) return 'admitted';
  if (!status) return page.state === 'before-opening' ? 'before-opening' : 'loading';
  if (status.phase === 'closed') return 'closed';
  if (status.admitted) return 'expired';
  if (!status.joined) return status.phase === 'idle' ? 'before-opening' : 'loading';
  if (status.paused) return 'paused';
  return status.queueNumber === null ? 'prequeue' : 'waiting';
}

function setState(state) {
  const main = $('room');
  const changed = page.state !== state;
  page.state = state;
  main.dataset.state = state;
  main.setAttribute('aria-busy', String(state === 'loading'));
  for (const section of main.querySelectorAll('section[data-for]')) {
    section.hidden = !section.dataset.for.split(' ').includes(state);
  }
  $('account').hidden = state === 'signed-out' || !loadAuth();
  if (changed) onStateEntered(state);
}

function onStateEntered(state) {
  page.lastAnnounced.at = 0; // a new state is always worth announcing
  focusIfLost(state);
  if (state === 'admitted') {
    announce("It's your turn.", true);
    document.title = "It's your turn · Rushline";
  } else {
    document.title = `${page.room?.name ?? 'Waiting room'} · Rushline`;
  }
}

/** When the focused control was just hidden (the sign-in form, say), focus moves to the new state's heading. */
function focusIfLost(state) {
  const active = document.activeElement;
  if (active && active !== document.body && !active.closest('[hidden]')) return;
  const target = state === 'signed-out' ? $('username') : document.querySelector(`section:not([hidden]) h2`);
  target?.focus({ preventScroll: true });
}

function showFatal(text) {
  showError(text);
  setState('error');
}

function render() {
  const state = deriveState(page.status);
  setState(state);
  const renderers = {
    'before-opening': renderBeforeOpening,
    prequeue: renderPrequeue,
    waiting: renderWaiting,
    paused: renderWaiting,
    admitted: renderAdmitted,
    expired: renderExpired,
    closed: renderClosed,
  };
  renderers[state]?.(page.status);
}

function renderBeforeOpening() {
  const at = page.room ? Date.parse(page.room.prequeueOpensAt) : NaN;
  $('prequeue-time').textContent = formatTime(at);
  $('prequeue-countdown').textContent = formatCountdown(at - serverNow());
  announceOnce('The waiting room is not open yet.');
}

function renderPrequeue(status) {
  const at = Date.parse(status.opensAt ?? page.room?.opensAt);
  $('draw-time').textContent = formatTime(at);
  $('draw-countdown').textContent = formatCountdown(at - serverNow());
  announceOnce(`You're in. At ${formatTime(at)} everyone here gets a random place.`);
}

function renderWaiting(status) {
  const paused = status.paused;
  const position = positionOf(status);
  $('waiting-title').textContent = paused ? 'Admission is paused' : "You're in the queue";
  $('paused-note').hidden = !paused;
  $('queue-number').textContent = status.queueNumber ?? '—';
  $('serving-number').textContent = status.servingNumber;
  $('position').textContent = position ?? '—';
  $('people-ahead').textContent = aheadText(status, position);
  $('eta').textContent = paused ? 'on hold while paused' : formatEta(etaSeconds(position));
  $('progress').value = progressOf(position);
  if (position !== null) {
    document.title = `${position <= 1 ? 'Next' : `${position - 1} ahead`} · ${page.room?.name ?? 'Waiting room'}`;
  }
  if (paused) announceOnce('Admission is paused; you keep your place.');
  else announceThrottled($('people-ahead').textContent);
}

function renderAdmitted() {
  const { expiresAt } = page.admission;
  $('admission-expiry').textContent = formatTime(expiresAt);
  $('admission-countdown').textContent = formatCountdown(expiresAt - serverNow());
}

function renderExpired(status) {
  $('expired-number').textContent = status.queueNumber ?? '—';
  announceOnce('Your admission has expired.');
}

function renderClosed(status) {
  let detail = 'It no longer takes new places.';
  if (status.admitted) detail = `You were let in (number ${status.queueNumber}).`;
  else if (status.joined) detail = 'Your turn did not come before it closed. Sorry.';
  $('closed-detail').textContent = detail;
  announceOnce(`This sale is closed. ${detail}`);
}

// ---------------------------------------------------------------- queue arithmetic

/** 1 means next; computed here from each tick so the server sends one message per room, not per person. */
function positionOf(status) {
  if (status.queueNumber === null) return null;
  return Math.max(0, status.queueNumber - status.servingNumber);
}

function aheadText(status, position) {
  if (position === null) return `You get your number at ${formatTime(Date.parse(status.opensAt))}.`;
  if (position === 0) return 'Your number has been called. Getting your admission…';
  if (position === 1) return "You're next.";
  const ahead = position - 1;
  return `${ahead.toLocaleString()} ${ahead === 1 ? 'person' : 'people'} ahead of you`;
}

function etaSeconds(position) {
  if (position === null) return null;
  const perMin = page.status.admittedPerMin || page.room?.admissionRatePerMin || 0;
  return perMin > 0 ? Math.ceil(((position - 1) * 60) / perMin) : null;
}

/** Progress from the position first seen (kept across reloads) to the turn. */
function progressOf(position) {
  if (position === null) return 0;
  const stored = Number(sessionStorage.getItem(START_KEY));
  const start = stored >= position ? stored : position;
  if (start !== stored) sessionStorage.setItem(START_KEY, String(start));
  return start <= 0 ? 100 : Math.round(((start - position) / start) * 100);
}

// ---------------------------------------------------------------- formatting

function formatTime(ms) {
  if (!Number.isFinite(ms)) return '—';
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function formatCountdown(ms) {
  if (!Number.isFinite(ms)) return '—';
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(s).padStart(2, '0')} s`;
  return `${s} s`;
}

function formatEta(seconds) {
  if (seconds === null) return 'not known yet';
  if (seconds < 60) return 'less than a minute';
  const m = Math.floor(seconds / 60);
  if (m >= 60) return `about ${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
  if (m >= 10) return `about ${m} min`;
  const s = Math.round((seconds % 60) / 10) * 10;
  return s === 0 || s === 60 ? `about ${s === 60 ? m + 1 : m} min` : `about ${m} min ${s} s`;
}

// ---------------------------------------------------------------- small ui pieces

function showMessage(text) {
  $('message-text').textContent = text ?? '';
  $('message').hidden = !text;
}

function showError(text) {
  $('error').textContent = text;
  $('error').hidden = text === '';
}

function showConnection(connected) {
  $('connection').hidden = connected;
}

/** Screen-reader news: `urgent` interrupts; otherwise politely, and never the same sentence twice in a row. */
function announce(text, urgent = false) {
  const region = $('announcer');
  region.setAttribute('aria-live', urgent ? 'assertive' : 'polite');
  region.textContent = text;
  page.lastAnnounced = { text, at: Date.now() };
}

function announceOnce(text) {
  if (page.lastAnnounced.text !== text) announce(text);
}

function announceThrottled(text) {
  if (text === page.lastAnnounced.text) return;
  const urgent = text === "You're next.";
  if (urgent || Date.now() - page.lastAnnounced.at >= ANNOUNCE_EVERY_MS) announce(text, urgent);
}

// ---------------------------------------------------------------- timers and start-up

/** Once a second: count down, and retry what a scheduled time should have brought if no news came. */
function everySecond() {
  const status = page.status;
  const since = (t) => Date.now() - t >= RETRY_MS;
  if (page.state === 'before-opening') {
    const at = page.room ? Date.parse(page.room.prequeueOpensAt) : NaN;
    if (!(serverNow() < at) && since(page.lastJoinAt)) scheduleJoin();
  }
  if (page.state === 'prequeue' && status?.opensAt) {
    if (serverNow() >= Date.parse(status.opensAt) + JITTER_MS && since(page.lastWatchAt)) {
      scheduleRewatch(jitter());
    }
  }
  if (
    page.state === 'admitted' &&
    serverNow() >= page.admission.expiresAt + 1_000 &&
    since(page.lastWatchAt)
  ) {
    // The server drops an unused token once it expires; ask, so the page can say so.
    scheduleRewatch(0);
  }
  if (['before-opening', 'prequeue', 'admitted'].includes(page.state)) render();
}

async function loadRoom() {
  try {
    page.room = await requestJson(`${location.origin}/rooms/${ROOM_ID}`);
    $('room-name').textContent = page.room.name;
    document.title = `${page.room.name} · Rushline`;
    if (page.state !== 'signed-out') render();
  } catch (err) {
    if (err.code === 'ROOM_NOT_FOUND') showFatal('There is no such waiting room. Check the address.');
    else showError(err.message);
  }
}

function start() {
  const auth = loadAuth();
  if (!auth) {
    setState('signed-out');
    return;
  }
  $('account-name').textContent = auth.user?.username ?? '';
  setState('loading');
  void startLive();
}

function boot() {
  for (const heading of document.querySelectorAll('section h2')) heading.tabIndex = -1;
  if (!Number.isInteger(ROOM_ID) || ROOM_ID <= 0) {
    showFatal('This address does not name a waiting room.');
    return;
  }
  $('signin-form').addEventListener('submit', (e) => void onSignIn(e));
  $('sign-out').addEventListener('click', () => signOut());
  void loadRoom();
  start();
  setInterval(everySecond, 1_000);
}

boot();
