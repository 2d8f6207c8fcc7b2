import { expect } from 'chai';
import { revocationChecker } from '../../../core/admission/admission-revocations.js';
import { verifyAdmission } from '../../../core/admission/admission-token.js';
import { AppError } from '../../../core/errors.js';
import { createEnrollmentFixture } from '../../../test/support/catalog-fixture.js';
import { tokenFor } from '../../../test/support/tokens.js';
import { testConfig } from '../../../test/support/test-config.js';
import { createTestUser, type TestUser } from '../../../test/support/users.js';
import { startWaitingRoom, type RunningWaitingRoom } from '../../../test/support/waiting-room-harness.js';

describe('operator API', function () {
  this.timeout(30_000);
  const cfg = testConfig();
  let wr: RunningWaitingRoom;
  let staff: TestUser;

  before(async () => {
    wr = await startWaitingRoom({ controller: false });
    staff = await createTestUser(wr.db, 'staff');
  });
  after(() => wr.stop());

  async function call(
    method: string,
    path: string,
    body?: unknown,
    userId = staff.id,
    role: 'student' | 'staff' = 'staff',
  ) {
    const res = await fetch(`${wr.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(cfg, userId, role)}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: res.status,
      body: (await res.json()) as Record<string, unknown> & { error?: { code: string } },
    };
  }

  const definition = (slug: string, overrides: Record<string, unknown> = {}) => ({
    slug,
    name: 'Physics 101 rush',
    kind: 'registration',
    admissionRatePerMin: 1_200,
    maxActive: 300,
    tokenTtlS: 300,
    prequeueOpensAt: new Date(Date.now() - 60_000).toISOString(),
    opensAt: new Date(Date.now() + 3_600_000).toISOString(),
    closesAt: null,
    ...overrides,
  });

  const createRoom = async (slug: string) => {
    const res = await call('POST', '/operator/rooms', definition(slug));
    expect(res.status).to.equal(201);
    return res.body.id as number;
  };

  it('refuses students on every operator route', async () => {
    const student = await createTestUser(wr.db, 'student');
    const routes: [string, string][] = [
      ['POST', '/operator/rooms'],
      ['PATCH', '/operator/rooms/1'],
      ['POST', '/operator/rooms/1/actions/open'],
      ['POST', '/operator/rooms/1/revocations'],
      ['POST', '/operator/rooms/1/messages'],
      ['GET', '/operator/rooms/1/figures'],
    ];
    for (const [method, path] of routes) {
      const res = await call(method, path, method === 'GET' ? undefined : {}, student.id, 'student');
      expect(res.status, `${method} ${path}`).to.equal(403);
      expect(res.body.error?.code).to.equal('FORBIDDEN');
    }
  });

  it('creates a room, refusing a taken slug and times out of order', async () => {
    const id = await createRoom('op-create-1');
    const audit = await wr
      .db('audit_log')
      .where({ entity: 'waiting_room', entity_id: String(id), action: 'create' });
    expect(audit).to.have.length(1);
    expect((await call('POST', '/operator/rooms', definition('op-create-1'))).body.error?.code).to.equal(
      'ROOM_SLUG_TAKEN',
    );
    const backwards = await call(
      'POST',
      '/operator/rooms',
      definition('op-create-2', { opensAt: new Date(Date.now() - 120_000).toISOString() }),
    );
    expect(backwards.status).to.equal(400);
    const saleWithoutEvent = await call(
      'POST',
      '/operator/rooms',
      definition('op-create-3', { kind: 'sale' }),
    );
    expect(saleWithoutEvent.status).to.equal(400);
    const unknownField = await call('POST', '/operator/rooms', definition('op-create-4', { colour: 'red' }));
    expect(unknownField.status).to.equal(400);
  });

  it('gives a registration window one room: a second is refused, and an edit cannot move a room', async () => {
    const { windowId } = await createEnrollmentFixture(wr.db);
    const second = await call(
      'POST',
      '/operator/rooms',
      definition('op-window-2', { registrationWindowId: windowId }),
    );
    expect(second.status).to.equal(409);
    expect(second.body.error?.code).to.equal('WINDOW_HAS_ROOM');
    expect(await wr.db('waiting_rooms').where({ slug: 'op-window-2' }).first()).to.equal(undefined);
    // Two staff at once (or a double click): one room, one 409.
    for (let i = 0; i < 3; i += 1) {
      const { windowId: fresh, roomId: fixtureRoom } = await createEnrollmentFixture(wr.db);
      await wr.db('waiting_rooms').where({ id: fixtureRoom }).del();
      const both = await Promise.all(
        ['a', 'b'].map((x) =>
          call(
            'POST',
            '/operator/rooms',
            definition(`op-window-race-${i}-${x}`, { registrationWindowId: fresh }),
          ),
        ),
      );
      expect(both.map((r) => r.status).sort()).to.deep.equal([201, 409]);
      expect(await wr.db('waiting_rooms').where({ registration_window_id: fresh })).to.have.length(1);
    }
    const other = await createRoom('op-window-3');
    const moved = await call('PATCH', `/operator/rooms/${other}`, { registrationWindowId: windowId });
    expect(moved.status).to.equal(400);
  });

  it('changes the rate and the maximum active, live', async () => {
    const id = await createRoom('op-edit-1');
    const res = await call('PATCH', `/operator/rooms/${id}`, { admissionRatePerMin: 90, maxActive: 12 });
    expect(res.status).to.equal(200);
    expect(res.body.admissionRatePerMin).to.equal(90);
    const state = await wr.redis.hgetall(wr.room.queue.key(id, 'state'));
    expect(state).to.include({ rate: '90', max_active: '12' });
    const onlyName = await call('PATCH', `/operator/rooms/${id}`, { name: 'Renamed' });
    expect(onlyName.body).to.include({ name: 'Renamed', admissionRatePerMin: 90 });
    const row = await wr.db('waiting_rooms').where({ id }).first<{ token_ttl_s: number }>();
    expect(row?.token_ttl_s, 'an edit leaves fields it does not name alone').to.equal(300);
    expect((await call('PATCH', `/operator/rooms/${id}`, {})).status).to.equal(400);
    const beforePrequeue = new Date(Date.now() - 3_600_000).toISOString();
    expect((await call('PATCH', `/operator/rooms/${id}`, { opensAt: beforePrequeue })).status).to.equal(400);
    expect((await call('PATCH', '/operator/rooms/987654', { maxActive: 3 })).status).to.equal(404);
  });

  it('creates rooms adaptive, and pins (fixed) or frees the rate (ADR 012)', async () => {
    const id = await createRoom('op-mode-1');
    expect((await call('GET', `/operator/rooms/${id}/figures`)).body).to.include({
      admissionMode: 'adaptive',
      effectiveRatePerMin: 1_200,
    });
    const pinned = await call('PATCH', `/operator/rooms/${id}`, { admissionMode: 'fixed' });
    expect(pinned.body).to.include({ admissionMode: 'fixed', admissionRatePerMin: 1_200 });
    const row = await wr.db('waiting_rooms').where({ id }).first<{ admission_mode: string }>();
    expect(row?.admission_mode).to.equal('fixed');
    const freed = await call('PATCH', `/operator/rooms/${id}`, { admissionMode: 'adaptive' });
    expect(freed.body.admissionMode).to.equal('adaptive');
    const bad = await call('PATCH', `/operator/rooms/${id}`, { admissionMode: 'turbo' });
    expect(bad.status).to.equal(400);
    expect(bad.body.error?.code).to.be.a('string');
  });

  it('opens, pauses, resumes and closes a room, recording the draw seed', async () => {
    const id = await createRoom('op-phase-1');
    const joinAs = (userId: number) =>
      fetch(`${wr.url}/rooms/${id}/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(cfg, userId)}` },
        body: JSON.stringify({ clientRequestId: 'operator-test' }),
      });
    expect((await joinAs(95_001)).status).to.equal(201);
    expect((await call('POST', `/operator/rooms/${id}/actions/open`)).body).to.deep.equal({
      phase: 'open',
      paused: false,
    });
    const row = await wr
      .db('waiting_rooms')
      .where({ id })
      .first<{ state: string; shuffle_seed: string | null }>();
    expect(row?.state).to.equal('open');
    expect(row?.shuffle_seed).to.match(/^\d+$/);
    expect((await call('POST', `/operator/rooms/${id}/actions/pause`)).body).to.deep.equal({
      phase: 'open',
      paused: true,
    });
    expect((await wr.db('waiting_rooms').where({ id }).first<{ state: string }>())?.state).to.equal('paused');
    expect((await call('POST', `/operator/rooms/${id}/actions/resume`)).body).to.deep.equal({
      phase: 'open',
      paused: false,
    });
    expect((await call('POST', `/operator/rooms/${id}/actions/close`)).body).to.include({ phase: 'closed' });
    const late = await joinAs(95_002);
    expect(late.status).to.equal(409);
    expect((await call('POST', `/operator/rooms/${id}/actions/open`)).body.error?.code).to.equal(
      'ROOM_PHASE_CONFLICT',
    );
    expect((await call('POST', `/operator/rooms/${id}/actions/explode`)).status).to.equal(400);
    const actions = await wr
      .db('audit_log')
      .where({ entity: 'waiting_room', entity_id: String(id) })
      .pluck('action');
    expect(actions).to.include.members(['create', 'open', 'pause', 'resume', 'close']);
  });

  it('revokes an admitted person’s token, which the api then refuses', async () => {
    const id = await createRoom('op-revoke-1');
    await call('POST', `/operator/rooms/${id}/actions/open`);
    const userId = 95_101;
    await fetch(`${wr.url}/rooms/${id}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(cfg, userId)}` },
      body: JSON.stringify({ clientRequestId: 'operator-revoke' }),
    });
    let token: string | null = null;
    for (let i = 0; i < 40 && token === null; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await wr.room.controller.runOnce();
      token = await wr.redis.hget(wr.room.queue.key(id, 'tokens'), String(userId));
    }
    expect(token).to.be.a('string');

    const res = await call('POST', `/operator/rooms/${id}/revocations`, { userId });
    expect(res.body.revoked).to.equal(true);
    const code = await verifyAdmission(
      cfg.admission,
      token!,
      { userId, roomId: id },
      revocationChecker(wr.redis, cfg.redis.prefix),
    ).then(
      () => 'accepted',
      (err: unknown) => (err instanceof AppError ? err.code : 'crashed'),
    );
    expect(code).to.equal('ADMISSION_REVOKED');
    expect((await call('POST', `/operator/rooms/${id}/revocations`, { userId })).body.revoked).to.equal(
      false,
    );
  });

  it('reads live figures', async () => {
    const id = await createRoom('op-figures-1');
    await call('POST', `/operator/rooms/${id}/actions/open`);
    for (let u = 1; u <= 4; u++) {
      await fetch(`${wr.url}/rooms/${id}/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(cfg, 96_000 + u)}` },
        body: JSON.stringify({ clientRequestId: 'operator-figures' }),
      });
    }
    await wr.room.controller.runOnce();
    const res = await call('GET', `/operator/rooms/${id}/figures`);
    expect(res.status).to.equal(200);
    expect(res.body).to.include({
      roomId: id,
      phase: 'open',
      paused: false,
      joinedAfterOpening: 4,
      noShows: 0,
    });
    expect((res.body.admitted as number) + (res.body.waiting as number)).to.equal(4);
    expect(res.body.active).to.equal(res.body.admitted);
    expect(res.body).to.have.property('admittedPerMin');
  });
});
