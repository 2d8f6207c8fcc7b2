import { expect } from 'chai';
import { hashPassword, verifyPassword } from './password.js';

describe('password hashing', () => {
  let stored: string;

  before(async () => {
    stored = await hashPassword('correct horse battery staple');
  });

  it('writes a self-describing scrypt hash with the current cost', () => {
    expect(stored).to.match(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/);
  });

  it('salts every hash, so one password hashes differently twice', async () => {
    expect(await hashPassword('correct horse battery staple')).to.not.equal(stored);
  });

  it('verifies the right password', async () => {
    expect(await verifyPassword('correct horse battery staple', stored)).to.equal(true);
  });

  it('refuses a wrong password', async () => {
    expect(await verifyPassword('correct horse battery stapler', stored)).to.equal(false);
    expect(await verifyPassword('', stored)).to.equal(false);
  });

  it('treats composed and decomposed forms of a character as the same password', async () => {
    const composed = await hashPassword('caf\u00e9');
    expect(await verifyPassword('cafe\u0301', composed)).to.equal(true);
  });

  it('returns false for a malformed stored hash instead of throwing', async () => {
    const [, n, r, p, salt, key] = stored.split('$') as [string, string, string, string, string, string];
    const malformed = [
      '',
      'not a hash',
      'bcrypt$2b$10$abcdefghijklmnopqrstuv',
      `scrypt$${n}$${r}$${p}$${salt}`,
      `scrypt$${n}$${r}$${p}$${salt}$${key}$extra`,
      `scrypt$1000$${r}$${p}$${salt}$${key}`, // N not a power of two
      `scrypt$${2 ** 24}$${r}$${p}$${salt}$${key}`, // N far above the bound
      `scrypt$${2 ** 20}$32$${p}$${salt}$${key}`, // each bound alone passes, together 4 GiB
      `scrypt$${n}$0$${p}$${salt}$${key}`,
      `scrypt$${n}$${r}$${p}$${salt}$***`,
      `scrypt$${n}$${r}$${p}$${salt}$${key.slice(0, 8)}`, // key too short
      `scrypt$-1$${r}$${p}$${salt}$${key}`,
    ];
    for (const bad of malformed) {
      expect(await verifyPassword('correct horse battery staple', bad), bad).to.equal(false);
    }
  });
});
