import type { Knex } from 'knex';
import { hashPassword } from '../../core/auth/password.js';
import { insertInChunks } from './bulk-insert.js';
import {
  DEMO_ADMIN_PASSWORD,
  DEMO_ADMIN_USERNAME,
  DEMO_STUDENT_PASSWORD,
  studentUsername,
} from './demo-accounts.js';
import { FIRST_NAMES, LAST_NAMES } from './names.js';
import type { Random } from './random.js';

export interface SeededUsers {
  students: number;
  staff: number;
}

/** student00001 ... studentNNNNN spread over majors and grades 1-4, and the staff account `admin`. */
export async function seedUsers(
  db: Knex,
  rnd: Random,
  majorIds: readonly number[],
  studentCount: number,
): Promise<SeededUsers> {
  // One hash shared by every demo student: scrypt is deliberately slow, ~50 ms a call.
  const [studentHash, adminHash] = await Promise.all([
    hashPassword(DEMO_STUDENT_PASSWORD),
    hashPassword(DEMO_ADMIN_PASSWORD),
  ]);
  const rows: Record<string, unknown>[] = [];
  for (let n = 1; n <= studentCount; n++) {
    rows.push({
      username: studentUsername(n),
      password_hash: studentHash,
      role: 'student',
      display_name: `${rnd.pick(FIRST_NAMES)} ${rnd.pick(LAST_NAMES)}`,
      student_number: `2026${String(n).padStart(5, '0')}`,
      major_id: rnd.pick(majorIds),
      grade: rnd.int(1, 4),
      // Some students (honours, final-year) may take an overload.
      credit_limit: rnd.chance(0.15) ? 21 : 18,
    });
  }
  const students = await insertInChunks(db, 'users', rows);
  await db('users').insert({
    username: DEMO_ADMIN_USERNAME,
    password_hash: adminHash,
    role: 'staff',
    display_name: 'Registrar (demo admin)',
  });
  return { students, staff: 1 };
}
