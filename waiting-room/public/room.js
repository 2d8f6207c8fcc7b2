// The waiting-room page: sign in at the api, hold a place, follow the queue live over socket.io.
// Plain ES module, no build step. The server is the source of truth: on every (re)connect the page
// asks for its status with `watch` and renders it; ticks in between only move the serving number.
// Korean and English: the choice is shared with the web app (localStorage `rushline.lang`).

/** socket.io's browser client, served by the waiting room itself (preloaded by room.html). */
const SOCKET_IO_CLIENT = '/socket.io/socket.io.esm.min.js';

/** Empty (the default, behind the gateway) or unfilled: the api is on this page's own origin. */
const API_META = document.querySelector('meta[name="rushline-api"]')?.content ?? '';
const API_URL = /^https?:\/\//.test(API_META) ? API_META.replace(/\/$/, '') : '';
const ROOM_ID = Number(/\/rooms\/(\d+)\//.exec(location.pathname)?.[1]);

const AUTH_KEY = 'rushline.auth';
const ADMISSION_KEY = `rushline.admission.${ROOM_ID}`;
const START_KEY = `rushline.start.${ROOM_ID}`;
const LANG_KEY = 'rushline.lang';

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

// ---------------------------------------------------------------- language

/**
 * The words. English for the page's fixed text is room.html itself (read at start-up, keyed by data-t);
 * EN holds the English of what this script writes; KO holds the Korean of both. `{name}` is filled in.
 */
const EN = {
  waitingRoom: 'Waiting room',
  signInMissing: 'Enter your username and password.',
  sessionEnded: 'Your session has ended. Please sign in again.',
  signInAgain: 'Please sign in again.',
  liveFailed: 'Live updates could not be loaded. Check your connection, then reload the page.',
  yourTurn: "It's your turn.",
  yourTurnTitle: "It's your turn",
  notOpenYet: 'The waiting room is not open yet.',
  inPrequeue: "You're in. At {time} everyone here gets a random place.",
  inQueue: "You're in the queue",
  paused: 'Admission is paused',
  etaPaused: 'on hold while paused',
  titleNext: 'Next',
  titleAhead: '{n} ahead',
  pausedSay: 'Admission is paused; you keep your place.',
  expiredSay: 'Your admission has expired.',
  closedNoPlaces: 'It no longer takes new places.',
  closedLetIn: 'You were let in (number {n}).',
  closedMissed: 'Your turn did not come before it closed. Sorry.',
  closedSay: 'This waiting room is closed. {detail}',
  soldOut: 'Sold out',
  allFull: 'All sections are full',
  soldOutPlace: 'Your number: {n}. Your place in the queue: {p}.',
  soldOutUnnumbered: 'You have no number yet.',
  numberAt: 'You get your number at {time}.',
  called: 'Your number has been called. Getting your admission…',
  next: "You're next.",
  aheadOne: '1 person ahead of you',
  ahead: '{n} people ahead of you',
  etaUnknown: 'not known yet',
  etaUnderMinute: 'less than a minute',
  etaHours: 'about {h} h {m} min',
  etaMinutes: 'about {m} min',
  etaMinSec: 'about {m} min {s} s',
  hm: '{h} h {m} min',
  ms: '{m} min {s} s',
  s: '{s} s',
  noSuchRoom: 'There is no such waiting room. Check the address.',
  badAddress: 'This address does not name a waiting room.',
  languageName: 'English',
};

const KO = {
  waitingRoom: '대기실',
  signedInAs: '로그인 계정: {name}',
  signOut: '로그아웃',
  fromOrganisers: '운영자 안내',
  loadingTitle: '내 자리를 찾는 중…',
  loadingNote: '잠시만 기다려 주세요.',
  signInTitle: '로그인하고 대기 순서를 받으세요',
  signInNote: '학교 계정으로 로그인하세요. 어느 탭에서 접속하든 내 자리는 그대로 유지됩니다.',
  username: '아이디',
  password: '비밀번호',
  signIn: '로그인',
  beforeTitle: '대기실이 아직 열리지 않았습니다',
  opensAt: '{time}에 열립니다. {in} 남았습니다.',
  beforeNote:
    '이 페이지를 열어 두면 대기실이 열릴 때 자동으로 들어갑니다. 일찍 온다고 유리하지 않습니다. 오픈 시각까지 들어온 사람은 모두 무작위로 순번을 받습니다.',
  prequeueTitle: '대기실에 들어왔습니다',
  drawAt: '{time}에 이곳의 모든 사람이 무작위로 대기 순번을 받습니다. {in} 남았습니다.',
  keepOpen: '이 탭을 열어 두세요. 새로고침하지 않아도 됩니다.',
  pausedNote: '{keep} 입장이 다시 시작되면 이 순서대로 이어집니다. 새로고침하지 않아도 됩니다.',
  keepPlace: '내 자리는 그대로 유지됩니다.',
  yourNumber: '내 번호',
  nowServing: '현재 입장 번호',
  etaLine: '예상 대기 시간: {eta}{pos}',
  positionLine: ', 대기 순서 {n}',
  progressLabel: '내 차례까지 진행률',
  waitingNote: '이 탭을 열어 두세요. 차례가 되면 여기에서 알려 드립니다.',
  admittedTitle: '내 차례입니다',
  validUntil: '이 탭을 열어 두세요. 입장은 {time}까지 유효합니다({left} 남음).',
  continue: '계속하기',
  continueNote: '이 탭에서 계속하세요. 입장 정보와 로그인이 이 탭에 저장되어 있습니다.',
  expiredTitle: '입장 시간이 만료되었습니다',
  expiredDetail:
    '차례가 왔지만(번호 {n}) 입장이 더 이상 유효하지 않습니다. 사용하기 전에 시간이 지났거나 운영자가 입장을 취소했습니다.',
  expiredNote: '잘못되었다고 생각되면 운영자에게 문의하세요.',
  closedTitle: '대기실이 마감되었습니다',
  receiptLink: '내 대기·신청 기록 보기',
  reconnecting: '다시 연결하는 중…',
  signInMissing: '아이디와 비밀번호를 입력하세요.',
  sessionEnded: '로그인이 끝났습니다. 다시 로그인해 주세요.',
  signInAgain: '다시 로그인해 주세요.',
  liveFailed: '실시간 정보를 불러오지 못했습니다. 인터넷 연결을 확인한 뒤 페이지를 새로고침하세요.',
  yourTurn: '내 차례입니다.',
  yourTurnTitle: '내 차례입니다',
  notOpenYet: '대기실이 아직 열리지 않았습니다.',
  inPrequeue: '대기실에 들어왔습니다. {time}에 모든 사람이 무작위로 순번을 받습니다.',
  inQueue: '대기 중입니다',
  paused: '입장이 일시 중지되었습니다',
  etaPaused: '일시 중지 중',
  titleNext: '다음 차례',
  titleAhead: '앞에 {n}명',
  pausedSay: '입장이 일시 중지되었습니다. 내 자리는 그대로 유지됩니다.',
  expiredSay: '입장 시간이 만료되었습니다.',
  closedNoPlaces: '더 이상 새로 들어올 수 없습니다.',
  closedLetIn: '입장하셨습니다(번호 {n}).',
  closedMissed: '마감 전에 차례가 오지 않았습니다. 죄송합니다.',
  closedSay: '대기실이 마감되었습니다. {detail}',
  soldOut: '매진되었습니다',
  allFull: '모든 분반이 마감되었습니다',
  soldOutPlace: '내 번호는 {n}번, 대기 순서는 {p}번째입니다.',
  soldOutUnnumbered: '아직 번호를 받지 않았습니다.',
  soldOutNote:
    '더 이상 입장하지 않습니다. 내 자리는 그대로 유지됩니다. 자리가 다시 생기면 이 순서대로 자동으로 이어집니다.',
  numberAt: '{time}에 번호를 받습니다.',
  called: '번호가 호출되었습니다. 입장 정보를 받는 중…',
  next: '다음 차례입니다.',
  aheadOne: '앞에 1명이 있습니다',
  ahead: '앞에 {n}명이 있습니다',
  etaUnknown: '아직 알 수 없음',
  etaUnderMinute: '1분 미만',
  etaHours: '약 {h}시간 {m}분',
  etaMinutes: '약 {m}분',
  etaMinSec: '약 {m}분 {s}초',
  hm: '{h}시간 {m}분',
  ms: '{m}분 {s}초',
  s: '{s}초',
  noSuchRoom: '없는 대기실입니다. 주소를 확인하세요.',
  badAddress: '이 주소는 대기실 주소가 아닙니다.',
  languageName: '한국어',
  // The server's errors (its messages are English).
  INVALID_CREDENTIALS: '아이디 또는 비밀번호가 맞지 않습니다.',
  TOO_MANY_FAILED_LOGINS: '로그인 실패가 너무 많습니다. 몇 분 뒤에 다시 시도해 주세요.',
  TOO_MANY_LOGINS_FROM_IP: '이 네트워크에서 시도가 너무 많습니다. 잠시 뒤에 다시 시도해 주세요.',
  NETWORK: '서버에 연결할 수 없습니다. 인터넷 연결을 확인하고 다시 시도해 주세요.',
  ROOM_NOT_FOUND: '없는 대기실입니다. 주소를 확인하세요.',
  ROOM_CLOSED: '대기실이 마감되었습니다.',
  TOO_MANY_WATCHES: '요청이 너무 많습니다. 잠시 뒤에 다시 시도해 주세요.',
  GRADE_NOT_IN_WINDOW: '이 대기실은 내 학년의 신청 기간이 아닙니다.',
  USER_DEACTIVATED: '사용이 중지된 계정입니다.',
  SERVICE_UNAVAILABLE: '서버가 응답하지 않습니다. 잠시 뒤에 다시 시도해 주세요.',
  UNKNOWN: '문제가 생겼습니다. 다시 시도해 주세요.',
};
for (const code of [
  'UNAUTHENTICATED',
  'TOKEN_INVALID',
  'TOKEN_EXPIRED',
  'REFRESH_TOKEN_EXPIRED',
  'REFRESH_TOKEN_INVALID',
])
  KO[code] = KO.sessionEnded;
KO.RATE_LIMITED = KO.TOO_MANY_WATCHES;

function initialLang() {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === 'ko' || saved === 'en') return saved;
  return navigator.language.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

let lang = initialLang();

/** A sentence in the page's language, its `{name}`s left in. */
const words = (key) => (lang === 'ko' ? KO[key] : undefined) ?? EN[key] ?? key;

/** A sentence in the page's language, with `{name}`s filled from `vars`. */
function tr(key, vars = {}) {
  return words(key).replace(/\{(\w+)\}/g, (_, name) => vars[name] ?? '');
}

/** A server error in the page's language: Korean by its code; in English, the server's own message. */
function errorText(err) {
  if (lang === 'en') return err.message;
  return KO[err.code] ?? KO.UNKNOWN;
}

/** The English of one element of room.html, with its slots as `{name}`. */
function templateOf(el) {
  let text = '';
  for (const n of el.childNodes)
    text += n.nodeType === 1 ? (n.dataset.slot ? `{${n.dataset.slot}}` : '') : n.data;
  return text.replace(/\s+/g, ' ').trim();
}

/** Puts a sentence into an element, reusing its slot elements (and their ids) for the `{name}`s. */
function fill(el, text) {
  const slots = {};
  for (const c of el.children) if (c.dataset.slot) slots[c.dataset.slot] = c;
  if (Object.keys(slots).length === 0) el.textContent = text;
  else el.replaceChildren(...text.split(/\{(\w+)\}/).map((part, i) => (i % 2 ? (slots[part] ?? '') : part)));
}

function applyLanguage() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-t]')) fill(el, words(el.dataset.t));
  for (const el of document.querySelectorAll('[data-t-label]'))
    el.setAttribute('aria-label', tr(el.dataset.tLabel));
  const other = lang === 'ko' ? 'en' : 'ko';
  $('lang').textContent = lang === 'ko' ? EN.languageName : KO.languageName;
  $('lang').lang = other;
  $('room-name').textContent = page.room?.name ?? tr('waitingRoom');
  document.documentElement.dataset.ready = '';
}

function switchLanguage() {
  lang = lang === 'ko' ? 'en' : 'ko';
  localStorage.setItem(LANG_KEY, lang);
  applyLanguage();
  // Sentences written by the script (times, counts, errors) are written again in the new language.
  page.lastAnnounced = { text: '', at: 0 };
  updateTitle(page.state);
  if (page.state !== 'signed-out' && page.state !== 'error') render();
}

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
        signOut(tr('sessionEnded'));
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
    showSignInError(tr('signInMissing'));
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
    showSignInError(errorText(err));
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
    showError(tr('liveFailed'));
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
    // WebSocket only, like the web app: behind several waiting-room processes a polling session would need
    // every request at the process that opened it (ADR 024). socket.io never fell back to polling here anyway
    // (it tries only the first transport unless told to try all).
    transports: ['websocket'],
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
  socket.on('room:soldOut', onSoldOut);
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
    signOut(lang === 'en' && err.data.message ? err.data.message : tr('signInAgain'));
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
    showFatal(errorText(error));
  } else {
    showError(errorText(error));
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
    signOut(errorText(err));
  } else {
    showError(errorText(err));
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

/** Sold out (or back on sale): the same message for everyone, the position worked out here as for a tick. */
function onSoldOut(msg) {
  const status = page.status;
  if (msg.roomId !== ROOM_ID || !status) return;
  Object.assign(status, { soldOut: msg.soldOut, servingNumber: msg.servingNumber, waiting: msg.waiting });
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
  if (status.soldOut) return 'sold-out';
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
  // The receipt says when they joined and, after the opening, which number they drew.
  $('receipt').hidden = !(page.status?.joined || page.admission);
  if (changed) onStateEntered(state);
}

function onStateEntered(state) {
  page.lastAnnounced.at = 0; // a new state is always worth announcing
  focusIfLost(state);
  if (state === 'admitted') announce(tr('yourTurn'), true);
  updateTitle(state);
}

function updateTitle(state) {
  const name = page.room?.name ?? tr('waitingRoom');
  document.title = `${state === 'admitted' ? tr('yourTurnTitle') : name} · Rushline`;
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
    'sold-out': renderSoldOut,
  };
  renderers[state]?.(page.status);
}

function renderBeforeOpening() {
  const at = page.room ? Date.parse(page.room.prequeueOpensAt) : NaN;
  $('prequeue-time').textContent = formatTime(at);
  $('prequeue-countdown').textContent = formatCountdown(at - serverNow());
  announceOnce(tr('notOpenYet'));
}

function renderPrequeue(status) {
  const at = Date.parse(status.opensAt ?? page.room?.opensAt);
  $('draw-time').textContent = formatTime(at);
  $('draw-countdown').textContent = formatCountdown(at - serverNow());
  announceOnce(tr('inPrequeue', { time: formatTime(at) }));
}

function renderWaiting(status) {
  const paused = status.paused;
  const position = positionOf(status);
  $('waiting-title').textContent = tr(paused ? 'paused' : 'inQueue');
  $('paused-note').hidden = !paused;
  $('queue-number').textContent = status.queueNumber ?? '—';
  $('serving-number').textContent = status.servingNumber;
  $('position').textContent = position ?? '—';
  $('people-ahead').textContent = aheadText(status, position);
  $('eta').textContent = paused ? tr('etaPaused') : formatEta(etaSeconds(position));
  $('progress').value = progressOf(position);
  if (position !== null) {
    const where = position <= 1 ? tr('titleNext') : tr('titleAhead', { n: formatNumber(position - 1) });
    document.title = `${where} · ${page.room?.name ?? tr('waitingRoom')}`;
  }
  if (paused) announceOnce(tr('pausedSay'));
  else announceThrottled($('people-ahead').textContent);
}

function renderAdmitted() {
  const { expiresAt } = page.admission;
  $('admission-expiry').textContent = formatTime(expiresAt);
  $('admission-countdown').textContent = formatCountdown(expiresAt - serverNow());
}

function renderExpired(status) {
  $('expired-number').textContent = status.queueNumber ?? '—';
  announceOnce(tr('expiredSay'));
}

function renderClosed(status) {
  let detail = tr('closedNoPlaces');
  if (status.admitted) detail = tr('closedLetIn', { n: status.queueNumber });
  else if (status.joined) detail = tr('closedMissed');
  $('closed-detail').textContent = detail;
  announceOnce(tr('closedSay', { detail }));
}

function renderSoldOut(status) {
  const title = tr(page.room?.kind === 'registration' ? 'allFull' : 'soldOut');
  const position = positionOf(status);
  const place =
    position === null
      ? tr('soldOutUnnumbered')
      : tr('soldOutPlace', { n: formatNumber(status.queueNumber), p: formatNumber(position) });
  $('sold-out-title').textContent = title;
  $('sold-out-place').textContent = place;
  announceOnce(`${title}. ${place}`);
}

// ---------------------------------------------------------------- queue arithmetic

/** 1 means next; computed here from each tick so the server sends one message per room, not per person. */
function positionOf(status) {
  if (status.queueNumber === null) return null;
  return Math.max(0, status.queueNumber - status.servingNumber);
}

function aheadText(status, position) {
  if (position === null) return tr('numberAt', { time: formatTime(Date.parse(status.opensAt)) });
  if (position === 0) return tr('called');
  if (position === 1) return tr('next');
  const ahead = position - 1;
  return ahead === 1 ? tr('aheadOne') : tr('ahead', { n: formatNumber(ahead) });
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

const locale = () => (lang === 'ko' ? 'ko-KR' : 'en-GB');
const formatNumber = (n) => n.toLocaleString(locale());
const pad = (n) => String(n).padStart(2, '0');

function formatTime(ms) {
  if (!Number.isFinite(ms)) return '—';
  return new Date(ms).toLocaleTimeString(locale(), { hour: 'numeric', minute: '2-digit' });
}

function formatCountdown(ms) {
  if (!Number.isFinite(ms)) return '—';
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return tr('hm', { h, m: pad(m) });
  if (m > 0) return tr('ms', { m, s: pad(s) });
  return tr('s', { s });
}

function formatEta(seconds) {
  if (seconds === null) return tr('etaUnknown');
  if (seconds < 60) return tr('etaUnderMinute');
  const m = Math.floor(seconds / 60);
  if (m >= 60) return tr('etaHours', { h: Math.floor(m / 60), m: pad(m % 60) });
  if (m >= 10) return tr('etaMinutes', { m });
  const s = Math.round((seconds % 60) / 10) * 10;
  return s === 0 || s === 60 ? tr('etaMinutes', { m: s === 60 ? m + 1 : m }) : tr('etaMinSec', { m, s });
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
  const urgent = text === tr('next');
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
    updateTitle(page.state);
    if (page.state !== 'signed-out') render();
  } catch (err) {
    if (err.code === 'ROOM_NOT_FOUND') showFatal(tr('noSuchRoom'));
    else showError(errorText(err));
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
  for (const el of document.querySelectorAll('[data-t]')) EN[el.dataset.t] = templateOf(el);
  for (const el of document.querySelectorAll('[data-t-label]'))
    EN[el.dataset.tLabel] = el.getAttribute('aria-label');
  applyLanguage();
  $('lang').addEventListener('click', switchLanguage);
  for (const heading of document.querySelectorAll('section h2')) heading.tabIndex = -1;
  if (!Number.isInteger(ROOM_ID) || ROOM_ID <= 0) {
    showFatal(tr('badAddress'));
    return;
  }
  // The web app's pages, on this same origin: same tab, so sessionStorage carries the admission and sign-in.
  $('continue').href = `/admitted/${ROOM_ID}`;
  $('receipt-link').href = `/receipts/${ROOM_ID}`;
  $('signin-form').addEventListener('submit', (e) => void onSignIn(e));
  $('sign-out').addEventListener('click', () => signOut());
  void loadRoom();
  start();
  setInterval(everySecond, 1_000);
}

boot();
