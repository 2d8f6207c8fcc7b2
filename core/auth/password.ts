import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashes are self-describing, `scrypt$N$r$p$saltB64$hashB64`, so the cost can be raised later
 * and old hashes still verify with the parameters they were made with.
 */

const COST = { N: 16384, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

// Bounds for parameters read back from a stored hash: a tampered or corrupt row must not make one login
// allocate gigabytes or spin for minutes.
const MAX_N = 1 << 20;
const MAX_R = 32;
const MAX_P = 16;
const MAX_MEMORY_BYTES = 128 * 1024 * 1024;
const MIN_KEY_BYTES = 16;
const MAX_KEY_BYTES = 128;

function deriveKey(plain: string, salt: Buffer, keyBytes: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(plain.normalize('NFC'), salt, keyBytes, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

// scrypt needs about 128 * N * r bytes; node refuses above maxmem (32 MiB by default).
const maxmemFor = (N: number, r: number, p: number) => 128 * N * r + 128 * r * p + 1024 * 1024;

export async function hashPassword(plain: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const { N, r, p } = COST;
  const key = await deriveKey(plain, salt, KEY_BYTES, { N, r, p, maxmem: maxmemFor(N, r, p) });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function parseHash(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [, nText, rText, pText, saltText, keyText] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (![nText, rText, pText].every((t) => /^[1-9]\d{0,7}$/.test(t))) return undefined;
  const N = Number(nText);
  const r = Number(rText);
  const p = Number(pText);
  // scrypt requires N to be a power of two greater than 1.
  if (N < 2 || N > MAX_N || (N & (N - 1)) !== 0 || r > MAX_R || p > MAX_P) return undefined;
  if (128 * N * r > MAX_MEMORY_BYTES) return undefined;
  if (!BASE64.test(saltText) || !BASE64.test(keyText)) return undefined;
  const salt = Buffer.from(saltText, 'base64');
  const key = Buffer.from(keyText, 'base64');
  if (salt.length === 0 || key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) return undefined;
  return { N, r, p, salt, key };
}

/** True when `plain` matches `stored`; false for a wrong password and for anything that is not a hash. */
export async function verifyPassword(plain: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const { N, r, p, salt, key } = parsed;
  let candidate: Buffer;
  try {
    candidate = await deriveKey(plain, salt, key.length, { N, r, p, maxmem: maxmemFor(N, r, p) });
  } catch {
    return false;
  }
  return timingSafeEqual(candidate, key);
}
