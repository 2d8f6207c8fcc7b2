/**
 * A seeded permutation of [0, n): the random order of the pre-queue, chosen at the opening and
 * computed on read, so opening a room of a million costs one write, not a million.
 *
 * It is a four-round balanced Feistel network over the smallest even power of two ≥ n, with cycle
 * walking to stay inside [0, n). Feistel networks are bijections whatever the round function, so
 * every pre-queue member gets exactly one distinct place; the round function mixes the seed with
 * a 32-bit integer hash. Anyone holding the recorded seed can recompute the whole order.
 * See docs/adr/004-prequeue-permutation.md.
 */
const ROUNDS = 4;

function halfBits(n: number): number {
  let bits = 1;
  while (2 ** (2 * bits) < n) bits++;
  return bits;
}

/** A 32-bit avalanche mix (the finaliser of MurmurHash3) of the seed, round and half. */
function roundFunction(seed: number, round: number, value: number, mask: number): number {
  let h = (seed ^ Math.imul(round + 1, 0x9e3779b1) ^ value) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h & mask;
}

function feistel(x: number, bits: number, seed: number): number {
  const mask = 2 ** bits - 1;
  let left = Math.floor(x / 2 ** bits);
  let right = x % 2 ** bits;
  for (let r = 0; r < ROUNDS; r++) {
    const next = (left ^ roundFunction(seed, r, right, mask)) >>> 0;
    left = right;
    right = next;
  }
  return left * 2 ** bits + right;
}

function feistelInverse(y: number, bits: number, seed: number): number {
  const mask = 2 ** bits - 1;
  let left = Math.floor(y / 2 ** bits);
  let right = y % 2 ** bits;
  for (let r = ROUNDS - 1; r >= 0; r--) {
    const prev = (right ^ roundFunction(seed, r, left, mask)) >>> 0;
    right = left;
    left = prev;
  }
  return left * 2 ** bits + right;
}

function checkArgs(i: number, n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 2 ** 32)
    throw new RangeError(`permutation size ${n} out of range`);
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`index ${i} outside [0, ${n})`);
}

/** The place (0-based) in the shuffled order of the i-th (0-based) person to join the pre-queue. */
export function permute(i: number, n: number, seed: number): number {
  checkArgs(i, n);
  const bits = halfBits(n);
  let x = feistel(i, bits, seed >>> 0);
  // Cycle walking: the domain is at most 4n, so this takes fewer than four steps on average.
  while (x >= n) x = feistel(x, bits, seed >>> 0);
  return x;
}

/** The inverse of permute: who (0-based join index) holds shuffled place p. */
export function unpermute(p: number, n: number, seed: number): number {
  checkArgs(p, n);
  const bits = halfBits(n);
  let x = feistelInverse(p, bits, seed >>> 0);
  while (x >= n) x = feistelInverse(x, bits, seed >>> 0);
  return x;
}
