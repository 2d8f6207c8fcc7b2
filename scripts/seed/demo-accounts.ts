/**
 * Demo credentials, published on purpose: the seed is for local demos and load tests, never production.
 * Every seeded student shares one password (and one hash: scrypt on 20,000 rows would take minutes).
 */
export const DEMO_STUDENT_PASSWORD = 'student-demo';
export const DEMO_ADMIN_USERNAME = 'admin';
export const DEMO_ADMIN_PASSWORD = 'admin-demo';
export const DEMO_STUDENT_COUNT = 20_000;

/** student00001 ... student20000 */
export const studentUsername = (n: number): string => `student${String(n).padStart(5, '0')}`;
