import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { apiInProcess, type ApiInProcess } from '../../../../test/support/api-in-process.js';
import { tokenFor } from '../../../../test/support/tokens.js';
import { createTestUser, type TestUser } from '../../../../test/support/users.js';

const PASSWORD = 'first password 1';

describe('staff: users administration', function () {
  this.timeout(20_000);
  let api: ApiInProcess;
  let staff: TestUser;
  let student: TestUser;
  let asStaff: string;
  let asStudent: string;
  let majorId: number;

  before(async () => {
    api = await apiInProcess();
    staff = await createTestUser(api.db, 'staff');
    student = await createTestUser(api.db, 'student');
    asStaff = `Bearer ${tokenFor(api.cfg, staff.id, 'staff')}`;
    asStudent = `Bearer ${tokenFor(api.cfg, student.id, 'student')}`;
    const code = `M${randomBytes(3).toString('hex')}`;
    const [id] = await api.db('majors').insert({ code, name: `Major ${code}` });
    majorId = id as number;
  });
  after(() => api.close());

  const tag = () => randomBytes(4).toString('hex');
  const newStudent = (over: Record<string, unknown> = {}) => ({
    role: 'student',
    username: `s_${tag()}`,
    password: PASSWORD,
    displayName: `Kim ${tag()}`,
    studentNumber: `2026${tag()}`,
    majorId,
    grade: 1,
    creditLimit: 21,
    ...over,
  });
  const create = (body: object) =>
    request(api.app).post('/api/staff/users').set('authorization', asStaff).send(body);
  const get = (id: number) => request(api.app).get(`/api/staff/users/${id}`).set('authorization', asStaff);
  const patch = (id: number, body: object, ifMatch?: string) => {
    const req = request(api.app).patch(`/api/staff/users/${id}`).set('authorization', asStaff);
    return (ifMatch ? req.set('if-match', ifMatch) : req).send(body);
  };
  const resetPassword = (id: number, password: string, ifMatch: string) =>
    request(api.app)
      .post(`/api/staff/users/${id}/password`)
      .set('authorization', asStaff)
      .set('if-match', ifMatch)
      .send({ password });
  const login = (username: string, password: string) =>
    request(api.app).post('/api/auth/login').send({ username, password });
  const auditOf = (id: number) =>
    api
      .db('audit_log')
      .where({ entity: 'user', entity_id: String(id) })
      .orderBy('id');
  const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

  it('refuses students on every users route with 403', async () => {
    const calls = [
      request(api.app).get('/api/staff/users'),
      request(api.app).get(`/api/staff/users/${student.id}`),
      request(api.app).post('/api/staff/users').send(newStudent()),
      request(api.app).patch(`/api/staff/users/${student.id}`).set('if-match', '"v1"').send({ grade: 4 }),
      request(api.app)
        .post(`/api/staff/users/${student.id}/password`)
        .set('if-match', '"v1"')
        .send({ password: 'x'.repeat(12) }),
    ];
    for (const call of calls) {
      const res = await call.set('authorization', asStudent);
      expect(res.status).to.equal(403);
      expect(res.body.error.code).to.equal('FORBIDDEN');
    }
    expect((await api.db('users').where({ id: student.id }).first('grade')).grade).to.equal(2);
  });

  it('creates a student who can sign in, with an ETag and an audit row that holds no secret', async () => {
    const body = newStudent();
    const res = await create(body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.headers.etag).to.equal('"v1"');
    expect(res.headers.location).to.equal(`/api/staff/users/${res.body.id}`);
    expect(res.body).to.include({
      username: body.username,
      role: 'student',
      displayName: body.displayName,
      studentNumber: body.studentNumber,
      grade: 1,
      creditLimit: 21,
      active: true,
      version: 1,
    });
    expect(res.body.major.id).to.equal(majorId);
    expect(res.body).not.to.have.property('passwordHash');
    expect((await login(body.username, PASSWORD)).status).to.equal(200);

    const [row] = await auditOf(res.body.id);
    expect(row.action).to.equal('create');
    expect(row.actor_user_id).to.equal(staff.id);
    expect(row.before).to.equal(null);
    expect(json(row.after)).to.include({
      username: body.username,
      studentNumber: body.studentNumber,
      version: 1,
    });
    expect(JSON.stringify(row)).not.to.match(/scrypt|first password/);

    const read = await get(res.body.id);
    expect(read.status).to.equal(200);
    expect(read.headers.etag).to.equal('"v1"');
  });

  it('creates a staff account without student fields', async () => {
    const res = await create({
      role: 'staff',
      username: `o_${tag()}`,
      password: PASSWORD,
      displayName: 'Office',
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ role: 'staff', grade: null, studentNumber: null, major: null });
    const refused = await create({
      role: 'staff',
      username: `o_${tag()}`,
      password: PASSWORD,
      displayName: 'X',
      grade: 2,
    });
    expect(refused.status).to.equal(400);
  });

  it('refuses a taken username (in any case) or student number with 409, and an unknown major with 422', async () => {
    const first = newStudent();
    expect((await create(first)).status).to.equal(201);
    const sameName = await create(newStudent({ username: first.username.toUpperCase() }));
    expect(sameName.status).to.equal(409);
    expect(sameName.body.error.code).to.equal('USERNAME_TAKEN');
    const sameNumber = await create(newStudent({ studentNumber: first.studentNumber }));
    expect(sameNumber.status).to.equal(409);
    expect(sameNumber.body.error.code).to.equal('STUDENT_NUMBER_TAKEN');
    const noMajor = await create(newStudent({ majorId: 999_999_999 }));
    expect(noMajor.status).to.equal(422);
    expect(noMajor.body.error.code).to.equal('MAJOR_NOT_FOUND');
  });

  it('refuses bad bodies, ids and queries with 400', async () => {
    const bodies = [
      newStudent({ extra: 1 }),
      newStudent({ username: 'a b' }),
      newStudent({ password: 'short' }),
      newStudent({ grade: 5 }),
      newStudent({ studentNumber: undefined }),
      newStudent({ role: 'admin' }),
      { ...newStudent(), displayName: '   ' },
    ];
    for (const body of bodies) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.error.code).to.equal('VALIDATION_FAILED');
    }
    for (const path of [
      '/api/staff/users/0x1',
      '/api/staff/users/01',
      '/api/staff/users?limit=0',
      '/api/staff/users?after=-1',
      '/api/staff/users?role=admin',
      '/api/staff/users?nope=1',
    ]) {
      const res = await request(api.app).get(path).set('authorization', asStaff);
      expect(res.status, path).to.equal(400);
    }
    expect((await get(999_999_999)).body.error.code).to.equal('USER_NOT_FOUND');
  });

  it('lists by prefix of username, student number or name, by role, paged by id', async () => {
    const prefix = `pg${tag()}`;
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await create(newStudent({ username: `${prefix}_${i}` }));
      ids.push(res.body.id as number);
    }
    const byName = await create(newStudent({ displayName: `${prefix} Lee` }));
    const list = (qs: string) => request(api.app).get(`/api/staff/users?${qs}`).set('authorization', asStaff);
    const first = await list(`q=${prefix}&limit=2`);
    expect(first.status).to.equal(200);
    expect(first.body.users.map((u: { id: number }) => u.id)).to.deep.equal(ids.slice(0, 2));
    expect(first.body.nextAfter).to.equal(ids[1]);
    const second = await list(`q=${prefix}&limit=2&after=${first.body.nextAfter}`);
    expect(second.body.users.map((u: { id: number }) => u.id)).to.deep.equal([ids[2], byName.body.id]);
    expect(second.body.nextAfter).to.equal(null);
    const number = await list(`q=${byName.body.studentNumber}`);
    expect(number.body.users.map((u: { id: number }) => u.id)).to.deep.equal([byName.body.id]);
    expect((await list(`q=${prefix}&role=staff`)).body.users).to.deep.equal([]);
    // A % typed by staff is a literal character, not "anything".
    expect((await list('q=%25')).body.users).to.deep.equal([]);
  });

  it('changes a profile with If-Match, refuses a stale version with 409, and audits before and after', async () => {
    const { body: created } = await create(newStudent());
    const id = created.id as number;
    const missing = await patch(id, { grade: 3 });
    expect(missing.status).to.equal(428);
    expect(missing.body.error.code).to.equal('IF_MATCH_REQUIRED');
    expect((await patch(id, { grade: 3 }, 'v1')).body.error.code).to.equal('IF_MATCH_INVALID');
    expect((await patch(id, {}, '"v1"')).status).to.equal(400);
    expect((await patch(id, { grade: 3, password: 'sneaky password' }, '"v1"')).status).to.equal(400);

    const ok = await patch(id, { grade: 3, creditLimit: 15, displayName: 'Renamed', majorId: null }, '"v1"');
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(ok.headers.etag).to.equal('"v2"');
    expect(ok.body).to.include({
      grade: 3,
      creditLimit: 15,
      displayName: 'Renamed',
      major: null,
      version: 2,
    });

    const stale = await patch(id, { grade: 4 }, '"v1"');
    expect(stale.status).to.equal(409);
    expect(stale.body.error.code).to.equal('VERSION_CONFLICT');
    expect((await get(id)).body.grade).to.equal(3);

    const rows = await auditOf(id);
    const update = rows.find((r: { action: string }) => r.action === 'update');
    expect(json(update.before)).to.include({
      grade: 1,
      creditLimit: 21,
      displayName: created.displayName,
      majorId,
      version: 1,
    });
    expect(json(update.after)).to.include({
      grade: 3,
      creditLimit: 15,
      displayName: 'Renamed',
      majorId: null,
      version: 2,
    });
    expect(rows).to.have.length(2);
  });

  it('refuses student fields on a staff account and deactivating yourself', async () => {
    const other = await createTestUser(api.db, 'staff');
    const notStudent = await patch(other.id, { grade: 2 }, '"v1"');
    expect(notStudent.status).to.equal(400);
    expect(notStudent.body.error.code).to.equal('NOT_A_STUDENT');
    const self = await patch(staff.id, { active: false }, '"v1"');
    expect(self.status).to.equal(409);
    expect(self.body.error.code).to.equal('CANNOT_DEACTIVATE_SELF');
    expect((await patch(999_999_999, { grade: 2 }, '"v1"')).body.error.code).to.equal('USER_NOT_FOUND');
  });

  it('stops a deactivated account signing in or refreshing, with the wrong-password answer', async () => {
    const body = newStudent();
    const { body: created } = await create(body);
    const session = await login(body.username, PASSWORD);
    expect(session.status).to.equal(200);

    const off = await patch(created.id, { active: false }, '"v1"');
    expect(off.body.active).to.equal(false);
    const refused = await login(body.username, PASSWORD);
    expect(refused.status).to.equal(401);
    expect(refused.body.error.code).to.equal('INVALID_CREDENTIALS');
    const refresh = await request(api.app)
      .post('/api/auth/refresh')
      .send({ refreshToken: session.body.refreshToken });
    expect(refresh.status).to.equal(401);

    expect((await patch(created.id, { active: true }, '"v2"')).status).to.equal(200);
    const again = await login(body.username, PASSWORD);
    expect(again.status).to.equal(200);
    // The sign-in service itself refuses a refresh for an inactive account, revoked tokens or not.
    await api.db('users').where({ id: created.id }).update({ active: false });
    const late = await request(api.app)
      .post('/api/auth/refresh')
      .send({ refreshToken: again.body.refreshToken });
    expect(late.status).to.equal(401);
    expect(late.body.error.code).to.equal('REFRESH_TOKEN_INVALID');
  });

  it('resets a password with If-Match, ends the sessions, and audits it without the password', async () => {
    const body = newStudent();
    const { body: created } = await create(body);
    const id = created.id as number;
    const session = await login(body.username, PASSWORD);
    expect((await resetPassword(id, 'short', '"v1"')).status).to.equal(400);

    const res = await resetPassword(id, 'the new password 2', '"v1"');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.headers.etag).to.equal('"v2"');
    expect((await resetPassword(id, 'the third password', '"v1"')).body.error.code).to.equal(
      'VERSION_CONFLICT',
    );

    expect((await login(body.username, PASSWORD)).status).to.equal(401);
    expect((await login(body.username, 'the new password 2')).status).to.equal(200);
    const refresh = await request(api.app)
      .post('/api/auth/refresh')
      .send({ refreshToken: session.body.refreshToken });
    expect(refresh.status).to.equal(401);

    const row = (await auditOf(id)).find((r: { action: string }) => r.action === 'password_reset');
    expect(json(row.before)).to.deep.equal({ version: 1 });
    expect(json(row.after)).to.include({ version: 2, change: 'password reset', sessionsRevoked: 1 });
    expect(JSON.stringify(row)).not.to.match(/scrypt|new password/);
  });
});
