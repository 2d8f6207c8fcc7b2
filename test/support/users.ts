import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Role } from '../../core/auth/access-token.js';
import { hashPassword } from '../../core/auth/password.js';

export interface TestUser {
  id: number;
  username: string;
  password: string;
  role: Role;
}

let cachedHash: Promise<string> | undefined;
const PASSWORD = 'correct horse battery staple';

/** A fresh user with a unique name, so tests sharing the run's database never meet. */
export async function createTestUser(db: Knex, role: Role = 'student'): Promise<TestUser> {
  const username = `t_${role}_${randomBytes(5).toString('hex')}`;
  const [id] = await db('users').insert({
    username,
    password_hash: await (cachedHash ??= hashPassword(PASSWORD)),
    role,
    display_name: `Test ${role}`,
    grade: role === 'student' ? 2 : null,
    credit_limit: 18,
  });
  if (id === undefined) throw new Error('insert returned no id');
  return { id, username, password: PASSWORD, role };
}
