/** The Redis keys of one waiting room (core/redis-keys.ts puts them under the room's hash tag). */
export type RoomKeyPart =
  'state' | 'users' | 'tickets' | 'active' | 'tokens' | 'admits' | 'joined' | 'admitted' | 'used';

/**
 * A room's Lua script with the names of what goes in and comes out, declared once beside its body, so
 * callers pass keys and arguments by name and read its reply by name, never by position.
 */
export interface RoomScript<
  K extends RoomKeyPart = RoomKeyPart,
  A extends string = string,
  F extends string = string,
  M extends boolean = boolean,
> {
  /** For errors: which script replied what. */
  readonly name: string;
  /** KEYS[1..n], in order. */
  readonly keys: readonly K[];
  /** ARGV[1..n], in order; a script may take more after them (see RoomQueue.commitTick). */
  readonly argv: readonly A[];
  /** The reply's values, in the order the script returns them. */
  readonly fields: readonly F[];
  /** Whether the script may answer {'NO_ROOM'} instead: the room has no state in Redis. */
  readonly mayFindNoRoom: M;
  readonly lua: string;
}

/** Keeps the literal names of a script's keys, arguments and fields, so each use is checked against them. */
export const roomScript = <
  const K extends RoomKeyPart,
  const A extends string,
  const F extends string,
  const M extends boolean,
>(
  script: RoomScript<K, A, F, M>,
): RoomScript<K, A, F, M> => script;

/** A script's reply by field name. Every value is a string: Redis hands back Lua numbers as integers. */
export type ScriptReply<S extends RoomScript> = { readonly [P in S['fields'][number]]: string };

/** What running a script gives: its reply, or undefined when it may find no room and did. */
export type ScriptResult<S extends RoomScript> = S['mayFindNoRoom'] extends true
  ? ScriptReply<S> | undefined
  : ScriptReply<S>;

const NO_ROOM = 'NO_ROOM';

/**
 * Turns a script's reply into an object keyed by its declared fields. A reply of another length means the
 * Lua and its field list disagree (or a nil cut a Lua table short), which is a bug to fail on loudly rather
 * than read as zeros.
 */
export function decodeReply<S extends RoomScript>(script: S, reply: unknown): ScriptResult<S> {
  if (!Array.isArray(reply))
    throw new Error(`${script.name} replied ${typeof reply}, not a list of ${describe(script)}`);
  // ScriptResult<S> admits undefined exactly when the script may find no room, which is checked here.
  if (script.mayFindNoRoom && reply.length === 1 && reply[0] === NO_ROOM) return undefined as ScriptResult<S>;
  if (reply.length !== script.fields.length)
    throw new Error(`${script.name} replied ${reply.length} values, expected ${describe(script)}`);
  const out: Record<string, string> = {};
  script.fields.forEach((field, i) => {
    const value: unknown = reply[i];
    if (typeof value !== 'string' && typeof value !== 'number')
      throw new Error(
        `${script.name} replied a ${typeof value} for ${field}, expected a string or an integer`,
      );
    out[field] = String(value);
  });
  return out as ScriptResult<S>; // every declared field was set above
}

function describe(script: RoomScript): string {
  const values = `${script.fields.length} values (${script.fields.join(', ')})`;
  return script.mayFindNoRoom ? `${values} or {'${NO_ROOM}'}` : values;
}
