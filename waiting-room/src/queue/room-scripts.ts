/**
 * The waiting room's Redis work, each step one Lua script so it is atomic and one round trip.
 * All keys of a room share the hash tag {r:<id>} (docs/adr/002-redis-key-layout.md).
 *
 * State hash fields: phase (idle|prequeue|open|closed), paused (0|1), rate (people/min),
 * max_active, ttl_s, prequeue_at, opens_at, closes_at (ms since epoch, '' = never), pre (people who
 * joined before the opening), post (people who joined after), serving (highest queue number let in),
 * seed (pre-queue permutation seed, set at the opening), opened_at, carry (admission budget not yet
 * spent), last_tick, tick_seq (admission ticks planned so far: whose turn the periodic broadcast is),
 * noshows, admitted, pace, pace_at, pace_cut_at (an adaptive room's effective rate and its AIMD state,
 * ADR 012: the budget accrues at min(rate, pace)), sold_out (1 while what the room guards is gone and
 * nobody is admitted, ADR 013; written by the leader, read by STATUS and FIGURES).
 *
 * Queue numbers: the k-th pre-queue joiner's ticket is `p<k>`; after the opening their number is
 * permute(k-1, pre, seed)+1 (computed on read, never written). The j-th joiner after the opening holds
 * `q<j>` and number pre+j. Everyone whose number ≤ serving has been let in.
 *
 * For each person's receipt (GET /rooms/:roomId/receipt), two hashes keyed by user id, one field per
 * person written by the script that already touches them: `joined` (ms when they took their place, by
 * the join) and `admitted` ('<ms>:<expiresAtMs>' of their admission, by the tick's commit).
 *
 * Each script declares its KEYS, ARGV and reply fields by name beside its body (room-script.ts);
 * RoomQueue passes and reads them by those names.
 */
import { roomScript } from './room-script.js';

/** Shared by every script: moves the phase on when its scheduled time has passed. */
const ADVANCE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function advance(state, now, seed_candidate)
  local f = redis.call('HMGET', state, 'phase', 'prequeue_at', 'opens_at', 'closes_at')
  local phase = f[1]
  if not phase then return nil end
  if phase == 'idle' and f[2] and now >= tonumber(f[2]) then
    phase = 'prequeue'
    redis.call('HSET', state, 'phase', phase)
  end
  if phase == 'prequeue' and f[3] and now >= tonumber(f[3]) then
    phase = 'open'
    redis.call('HSET', state, 'phase', phase, 'seed', seed_candidate, 'opened_at', now, 'last_tick', now)
  end
  if phase == 'open' and f[4] and f[4] ~= '' and now >= tonumber(f[4]) then
    phase = 'closed'
    redis.call('HSET', state, 'phase', phase)
  end
  return phase
end
`;

/**
 * Takes a place in the room, or says why not (status NOT_OPEN_YET or CLOSED, with only the phase set);
 * joining twice gives back the same ticket (existing 1). Someone whose admission lapsed unused (expired,
 * and not one request accepted under it: `used`, written by the api's allowance script, ADR 015) takes a
 * new place at the back (existing 0); their old ticket and admission are forgotten.
 */
export const JOIN = roomScript({
  name: 'JOIN',
  keys: ['state', 'users', 'tickets', 'joined', 'admitted', 'tokens', 'active', 'used'],
  argv: ['userId', 'seedCandidate'],
  fields: ['status', 'ticket', 'existing', 'phase', 'pre', 'seed', 'serving'],
  mayFindNoRoom: true,
  lua: `${ADVANCE}
local now = now_ms()
local phase = advance(KEYS[1], now, ARGV[2])
if not phase then return {'NO_ROOM'} end
local ticket = redis.call('HGET', KEYS[2], ARGV[1])
local existing = 1
if ticket then
  local admitted = redis.call('HGET', KEYS[5], ARGV[1])
  local expires = admitted and tonumber(string.match(admitted, ':(%d+)$'))
  if phase == 'open' and expires and expires <= now and tonumber(redis.call('HGET', KEYS[8], ARGV[1]) or '0') <= 0 then
    redis.call('HDEL', KEYS[3], ticket)
    redis.call('HDEL', KEYS[5], ARGV[1])
    redis.call('HDEL', KEYS[6], ARGV[1])
    redis.call('ZREM', KEYS[7], ARGV[1])
    ticket = nil
  end
end
if not ticket then
  if phase == 'idle' then return {'NOT_OPEN_YET', '', 0, phase, '0', '', '0'} end
  if phase == 'closed' then return {'CLOSED', '', 0, phase, '0', '', '0'} end
  existing = 0
  if phase == 'prequeue' then
    ticket = 'p' .. redis.call('HINCRBY', KEYS[1], 'pre', 1)
  else
    ticket = 'q' .. redis.call('HINCRBY', KEYS[1], 'post', 1)
  end
  redis.call('HSET', KEYS[2], ARGV[1], ticket)
  redis.call('HSET', KEYS[3], ticket, ARGV[1])
  redis.call('HSET', KEYS[4], ARGV[1], now)
end
local s = redis.call('HMGET', KEYS[1], 'pre', 'seed', 'serving')
return {'OK', ticket, existing, phase, s[1] or '0', s[2] or '', s[3] or '0'}
`,
});

/**
 * The first half of an admission tick. Drops admitted people whose token expired unused (no-shows), adds
 * the budget earned since the last tick, and says how many may be let in now (slots). Changes no queue
 * number: commit does. admits is the tick log of the last minute ('<ms>:<count>,…'); seq is this tick's
 * number in the room's sequence. The pace step the leader worked out at its previous tick (ARGV pace,
 * paceAt, paceCutAt; '' = none) is written first and this tick's budget accrues at it; the reply gives the
 * stored pace back for the next step (ADR 012), so pacing costs the leader no round trip of its own. An
 * adaptive room with no stored pace gets startPace (its opening pace) before its first budget accrues:
 * its first tick must not admit at the operator's ceiling. '' = a fixed room.
 */
export const PLAN_TICK = roomScript({
  name: 'PLAN_TICK',
  keys: ['state', 'active', 'tokens', 'admits'],
  argv: ['seedCandidate', 'maxBurstMs', 'pace', 'paceAt', 'paceCutAt', 'startPace'],
  fields: [
    'phase',
    'paused',
    'serving',
    'slots',
    'pre',
    'post',
    'seed',
    'active',
    'now',
    'admits',
    'noshows',
    'admitted',
    'openedAt',
    'seq',
    'pace',
    'paceAt',
    'paceCutAt',
  ],
  mayFindNoRoom: true,
  lua: `${ADVANCE}
local now = now_ms()
local phase = advance(KEYS[1], now, ARGV[1])
if not phase then return {'NO_ROOM'} end
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], 'pace', ARGV[3], 'pace_at', ARGV[4], 'pace_cut_at', ARGV[5])
elseif ARGV[6] ~= '' and not redis.call('HGET', KEYS[1], 'pace') then
  redis.call('HSET', KEYS[1], 'pace', ARGV[6], 'pace_at', now, 'pace_cut_at', '')
end
local f = redis.call('HMGET', KEYS[1], 'paused', 'rate', 'max_active', 'pre', 'post', 'serving', 'seed', 'carry', 'last_tick', 'pace', 'pace_at', 'pace_cut_at')
local paused = f[1] or '0'
local rate = tonumber(f[2] or '0')
-- An adaptive room's pace (ADR 012, admission/pace-store.ts) lowers the rate; the rate stays its ceiling.
local pace = tonumber(f[10] or '')
if pace and pace < rate then rate = pace end
local max_active = tonumber(f[3] or '0')
local pre = tonumber(f[4] or '0')
local post = tonumber(f[5] or '0')
local serving = tonumber(f[6] or '0')
local carry = tonumber(f[8] or '0')
local last = tonumber(f[9] or tostring(now))
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
if #expired > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  redis.call('HDEL', KEYS[3], unpack(expired))
  redis.call('HINCRBY', KEYS[1], 'noshows', #expired)
end
local active = redis.call('ZCARD', KEYS[2])
local slots = 0
if phase == 'open' and paused ~= '1' then
  -- Budget accrues with time but never beyond a short burst, so a pause or a stall is not made up at once.
  local per_ms = rate / 60000
  carry = math.min(carry + per_ms * math.max(0, now - last), math.max(1, per_ms * tonumber(ARGV[2])))
  slots = math.floor(carry)
  slots = math.min(slots, math.max(0, max_active - active), math.max(0, pre + post - serving))
else
  carry = 0
end
redis.call('HSET', KEYS[1], 'carry', tostring(carry), 'last_tick', now)
local seq = redis.call('HINCRBY', KEYS[1], 'tick_seq', 1)
local admits = redis.call('ZRANGEBYSCORE', KEYS[4], now - 60000, '+inf')
local g = redis.call('HMGET', KEYS[1], 'noshows', 'admitted', 'opened_at')
return {phase, paused, tostring(serving), slots, tostring(pre), tostring(post), f[7] or '', active, tostring(now),
  table.concat(admits, ','), g[1] or '0', g[2] or '0', g[3] or '', seq, f[10] or '', f[11] or '', f[12] or ''}
`,
});

/**
 * The second half: let in the people holding the given tickets; ARGV goes on with count pairs of
 * (userId, token). Refuses (committed 0) when serving moved since the plan, so a stale leader can't
 * admit twice.
 */
export const COMMIT_TICK = roomScript({
  name: 'COMMIT_TICK',
  keys: ['state', 'active', 'tokens', 'admits', 'admitted'],
  argv: ['expectedServing', 'count', 'expiresAtMs', 'now'],
  fields: ['committed'],
  mayFindNoRoom: false,
  lua: `
local serving = tonumber(redis.call('HGET', KEYS[1], 'serving') or '0')
if serving ~= tonumber(ARGV[1]) then return {0} end
local count = tonumber(ARGV[2])
local expires = ARGV[3]
local now = tonumber(ARGV[4])
for i = 0, count - 1 do
  local uid = ARGV[5 + 2 * i]
  local token = ARGV[6 + 2 * i]
  if uid ~= '' then
    redis.call('ZADD', KEYS[2], expires, uid)
    redis.call('HSET', KEYS[3], uid, token)
    redis.call('HSET', KEYS[5], uid, ARGV[4] .. ':' .. expires)
  end
end
local carry = tonumber(redis.call('HGET', KEYS[1], 'carry') or '0')
redis.call('HSET', KEYS[1], 'serving', serving + count, 'carry', tostring(math.max(0, carry - count)))
redis.call('HINCRBY', KEYS[1], 'admitted', count)
redis.call('ZADD', KEYS[4], now, now .. ':' .. count)
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - 60000)
return {1}
`,
});

/** One user's view of the room; admits is the tick log of the last minute ('<ms>:<count>,…'). */
export const STATUS = roomScript({
  name: 'STATUS',
  keys: ['state', 'users', 'tokens', 'admits'],
  argv: ['userId', 'seedCandidate'],
  fields: [
    'status',
    'ticket',
    'phase',
    'paused',
    'pre',
    'post',
    'serving',
    'seed',
    'token',
    'admits',
    'now',
    'rate',
    'message',
    'opensAt',
    'openedAt',
    'soldOut',
  ],
  mayFindNoRoom: true,
  lua: `${ADVANCE}
local now = now_ms()
local phase = advance(KEYS[1], now, ARGV[2])
if not phase then return {'NO_ROOM'} end
local ticket = redis.call('HGET', KEYS[2], ARGV[1]) or ''
local f = redis.call('HMGET', KEYS[1], 'paused', 'pre', 'post', 'serving', 'seed', 'rate', 'message', 'opens_at', 'opened_at', 'sold_out')
local token = redis.call('HGET', KEYS[3], ARGV[1]) or ''
local admits = redis.call('ZRANGEBYSCORE', KEYS[4], now - 60000, '+inf')
return {'OK', ticket, phase, f[1] or '0', f[2] or '0', f[3] or '0', f[4] or '0', f[5] or '', token,
  table.concat(admits, ','), tostring(now), f[6] or '0', f[7] or '', f[8] or '', f[9] or '', f[10] or '0'}
`,
});

/**
 * Writes a room's configuration from MySQL without touching its live counters (times in ms since the
 * epoch, closesAt '' for never). A room seen for the first time starts idle; times moved later do not
 * reopen a closed room.
 */
export const CONFIGURE = roomScript({
  name: 'CONFIGURE',
  keys: ['state'],
  argv: ['rate', 'maxActive', 'ttlS', 'prequeueAt', 'opensAt', 'closesAt'],
  fields: ['phase'],
  mayFindNoRoom: false,
  lua: `
redis.call('HSET', KEYS[1], 'rate', ARGV[1], 'max_active', ARGV[2], 'ttl_s', ARGV[3],
  'prequeue_at', ARGV[4], 'opens_at', ARGV[5], 'closes_at', ARGV[6])
redis.call('HSETNX', KEYS[1], 'phase', 'idle')
redis.call('HSETNX', KEYS[1], 'paused', '0')
redis.call('HSETNX', KEYS[1], 'serving', '0')
redis.call('HSETNX', KEYS[1], 'pre', '0')
redis.call('HSETNX', KEYS[1], 'post', '0')
return {redis.call('HGET', KEYS[1], 'phase')}
`,
});

/** An operator's phase change (action: open|close|pause|resume|prequeue); ok 0 when the phase forbids it. */
export const OPERATOR_PHASE = roomScript({
  name: 'OPERATOR_PHASE',
  keys: ['state'],
  argv: ['action', 'seedCandidate'],
  fields: ['ok', 'phase', 'paused'],
  mayFindNoRoom: true,
  lua: `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local phase = redis.call('HGET', KEYS[1], 'phase')
if not phase then return {'NO_ROOM'} end
local action = ARGV[1]
local ok = 1
if action == 'prequeue' then
  if phase == 'idle' then redis.call('HSET', KEYS[1], 'phase', 'prequeue') else ok = 0 end
elseif action == 'open' then
  if phase == 'idle' or phase == 'prequeue' then
    redis.call('HSET', KEYS[1], 'phase', 'open', 'seed', ARGV[2], 'opened_at', now, 'last_tick', now)
  elseif phase ~= 'open' then ok = 0 end
elseif action == 'close' then
  redis.call('HSET', KEYS[1], 'phase', 'closed')
elseif action == 'pause' then
  if phase == 'closed' then ok = 0 else redis.call('HSET', KEYS[1], 'paused', '1') end
elseif action == 'resume' then
  redis.call('HSET', KEYS[1], 'paused', '0', 'last_tick', now)
end
local f = redis.call('HMGET', KEYS[1], 'phase', 'paused')
return {ok, f[1], f[2]}
`,
});

/** Live figures for operators, read-only; admits is the tick log of the last minute ('<ms>:<count>,…'). */
export const FIGURES = roomScript({
  name: 'FIGURES',
  keys: ['state', 'active', 'admits'],
  argv: [],
  fields: [
    'phase',
    'paused',
    'pre',
    'post',
    'serving',
    'seed',
    'noshows',
    'admitted',
    'openedAt',
    'active',
    'admits',
    'now',
    'soldOut',
  ],
  mayFindNoRoom: true,
  lua: `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local f = redis.call('HMGET', KEYS[1], 'phase', 'paused', 'pre', 'post', 'serving', 'seed', 'noshows', 'admitted', 'opened_at', 'sold_out')
if not f[1] then return {'NO_ROOM'} end
local active = redis.call('ZCOUNT', KEYS[2], now, '+inf')
local admits = redis.call('ZRANGEBYSCORE', KEYS[3], now - 60000, '+inf')
return {f[1], f[2] or '0', f[3] or '0', f[4] or '0', f[5] or '0', f[6] or '', f[7] or '0', f[8] or '0', f[9] or '',
  active, table.concat(admits, ','), tostring(now), f[10] or '0'}
`,
});

/** What one person's receipt needs, read-only and at one instant; admitted is '<ms>:<expiresMs>' or ''. */
export const RECEIPT = roomScript({
  name: 'RECEIPT',
  keys: ['state', 'users', 'joined', 'admitted'],
  argv: ['userId'],
  fields: ['phase', 'pre', 'seed', 'openedAt', 'ticket', 'joinedAt', 'admitted'],
  mayFindNoRoom: true,
  lua: `
local f = redis.call('HMGET', KEYS[1], 'phase', 'pre', 'seed', 'opened_at')
if not f[1] then return {'NO_ROOM'} end
return {f[1], f[2] or '0', f[3] or '', f[4] or '', redis.call('HGET', KEYS[2], ARGV[1]) or '',
  redis.call('HGET', KEYS[3], ARGV[1]) or '', redis.call('HGET', KEYS[4], ARGV[1]) or ''}
`,
});

/**
 * Gives up the admission budget the controller chose not to use (backpressure), so it is not spent
 * in a burst once the workers catch up: the budget left is at most what this tick lets in (used).
 */
export const FORFEIT_BUDGET = roomScript({
  name: 'FORFEIT_BUDGET',
  keys: ['state'],
  argv: ['used'],
  fields: [],
  mayFindNoRoom: false,
  lua: `
local carry = tonumber(redis.call('HGET', KEYS[1], 'carry') or '0')
redis.call('HSET', KEYS[1], 'carry', tostring(math.min(carry, tonumber(ARGV[1]))))
return {}
`,
});
