import type { Server } from 'node:http';
import { expect } from 'chai';
import { apiDocument } from '../../api/src/openapi/api-document.js';
import { waitingRoomDocument } from '../../waiting-room/src/openapi/waiting-room-document.js';
import { apiInProcess, type ApiInProcess } from '../support/api-in-process.js';
import {
  createEnrollmentFixture,
  createSection,
  type EnrollmentFixture,
} from '../support/catalog-fixture.js';
import { testRequestCommitter } from '../support/committers.js';
import { admissionFor, freshKey } from '../support/enrollment-submissions.js';
import { createSale, reservationHeaders, type SaleFixture } from '../support/event-fixture.js';
import { listenOnFreePort } from '../support/listen.js';
import { tokenFor } from '../support/tokens.js';
import { createTestUser, type TestUser } from '../support/users.js';
import { startWaitingRoom, type RunningWaitingRoom } from '../support/waiting-room-harness.js';
import { RecordingClient } from './recording-client.js';
import { ResponseValidator } from './response-validator.js';

/**
 * A representative journey through both apps over real HTTP — sign in, catalogue, cart, submit, status,
 * reservations, staff listings, and the errors 400/401/403/404/409 — with every answer recorded, then
 * checked against the OpenAPI documents: its status must be documented for its route, and its body must
 * validate against that status's schema (Ajv, draft 2020-12).
 */
describe('OpenAPI documents: real answers validate against them', function () {
  this.timeout(60_000);
  let api: ApiInProcess;
  let apiServer: { server: Server; url: string };
  let wr: RunningWaitingRoom;
  let a: RecordingClient;
  let w: RecordingClient;
  let student: TestUser;
  let staff: TestUser;
  let reg: EnrollmentFixture;
  let sectionId: number;
  let sale: SaleFixture;

  before(async () => {
    api = await apiInProcess();
    apiServer = await listenOnFreePort(api.app);
    wr = await startWaitingRoom({ controller: false });
    a = new RecordingClient(apiServer.url);
    w = new RecordingClient(wr.url);
    student = await createTestUser(api.db, 'student');
    staff = await createTestUser(api.db, 'staff');
    reg = await createEnrollmentFixture(api.db);
    ({ sectionId } = await createSection(api.db, reg, { capacity: 30 }));
    sale = await createSale(api.db, { rows: 1, seatsPerRow: 4 });
  });
  after(async () => {
    await wr?.stop();
    if (apiServer) await new Promise((resolve) => apiServer.server.close(resolve));
    await api?.close();
  });

  it('answers a journey through the api with what its document says', async () => {
    const staffToken = tokenFor(api.cfg, staff.id, 'staff');
    const { cfg, db } = api;

    // Health, and the document itself.
    expect((await a.call('GET', '/healthz')).status).to.equal(200);
    expect((await a.call('GET', '/readyz')).status).to.equal(200);
    expect((await a.call('GET', '/api/openapi.json')).status).to.equal(200);

    // Sign in: 200, a wrong password 401, a malformed body 400.
    const login = await a.json<{ accessToken: string; refreshToken: string }>('POST', '/api/auth/login', {
      body: { username: student.username, password: student.password },
    });
    expect(login.status).to.equal(200);
    const token = login.body.accessToken;
    const wrong = { username: student.username, password: 'not the password' };
    expect((await a.call('POST', '/api/auth/login', { body: wrong })).status).to.equal(401);
    expect((await a.call('POST', '/api/auth/login', { body: { username: '' } })).status).to.equal(400);
    const refreshed = await a.json<{ refreshToken: string }>('POST', '/api/auth/refresh', {
      body: { refreshToken: login.body.refreshToken },
    });
    expect(refreshed.status).to.equal(200);
    expect((await a.call('POST', '/api/auth/logout', { body: refreshed.body })).status).to.equal(204);

    // The catalogue: public; a misspelt filter 400, a missing section 404.
    expect((await a.call('GET', '/api/terms')).status).to.equal(200);
    expect((await a.call('GET', `/api/terms/${reg.termId}/majors`)).status).to.equal(200);
    expect((await a.call('GET', `/api/terms/${reg.termId}/sections?limit=5&day=5`)).status).to.equal(200);
    expect((await a.call('GET', `/api/terms/${reg.termId}/sections?majorID=3`)).status).to.equal(400);
    expect((await a.call('GET', `/api/sections/${sectionId}`)).status).to.equal(200);
    expect((await a.call('GET', '/api/sections/999999999')).status).to.equal(404);
    expect((await a.call('GET', '/api/events')).status).to.equal(200);
    expect((await a.call('GET', `/api/events/${sale.eventId}`)).status).to.equal(200);
    expect((await a.call('GET', `/api/events/${sale.eventId}/seats`)).status).to.equal(200);

    // Who I am: 200 signed in, 401 without a token.
    expect((await a.call('GET', '/api/me', { token })).status).to.equal(200);
    expect((await a.call('GET', '/api/me')).status).to.equal(401);

    // The cart: 201 added, 200 again, the cart and timetable, removed, 404 removing it twice.
    expect((await a.call('POST', '/api/me/cart', { token, body: { sectionId } })).status).to.equal(201);
    expect((await a.call('POST', '/api/me/cart', { token, body: { sectionId } })).status).to.equal(200);
    expect((await a.call('GET', `/api/me/cart?term=${reg.termId}`, { token })).status).to.equal(200);
    expect((await a.call('GET', `/api/me/timetable?term=${reg.termId}`, { token })).status).to.equal(200);
    expect((await a.call('DELETE', `/api/me/cart/${sectionId}`, { token })).status).to.equal(200);
    expect((await a.call('DELETE', `/api/me/cart/${sectionId}`, { token })).status).to.equal(404);

    // Submit: 401 without an admission, 202 with one (the same key again: the same request), committed.
    const enroll = { sectionIds: [sectionId] };
    const key = freshKey();
    const noAdmission = { token, body: enroll, headers: { 'idempotency-key': freshKey() } };
    expect((await a.call('POST', '/api/enrollments', noAdmission)).status).to.equal(401);
    const admitted = {
      token,
      body: enroll,
      headers: { 'idempotency-key': key, 'x-admission-token': admissionFor(cfg, student.id, reg.roomId) },
    };
    const submitted = await a.json<{ requestId: number }>('POST', '/api/enrollments', admitted);
    expect(submitted.status).to.equal(202);
    expect((await a.call('POST', '/api/enrollments', admitted)).status).to.equal(202);
    expect((await a.call('GET', `/api/requests/${submitted.body.requestId}`, { token })).status).to.equal(
      200,
    );
    await testRequestCommitter(db).commit([submitted.body.requestId]);
    const status = await a.json<{ status: string }>('GET', `/api/requests/${submitted.body.requestId}`, {
      token,
    });
    expect(status.body.status).to.equal('committed');
    expect((await a.call('GET', '/api/me/requests?limit=5', { token })).status).to.equal(200);
    expect((await a.call('GET', '/api/enrollments', { token })).status).to.equal(200);
    expect((await a.call('GET', '/api/requests/999999999', { token })).status).to.equal(404);

    // Reservations: held through the committer, read, paid, listed; a stranger's id is 404.
    const reserve = await a.json<{ requestId: number }>('POST', '/api/reservations', {
      headers: reservationHeaders(cfg, student.id, { roomId: sale.roomId }),
      body: { eventId: sale.eventId, seatLabels: ['A1'] },
    });
    expect(reserve.status).to.equal(202);
    await testRequestCommitter(db).commit([reserve.body.requestId]);
    const row = await db('reservations')
      .where({ request_id: reserve.body.requestId })
      .first<{ id: number }>('id');
    expect(row, 'the reservation the commit made').to.not.equal(undefined);
    const reservationId = row?.id ?? 0;
    expect((await a.call('GET', `/api/reservations/${reservationId}`, { token })).status).to.equal(200);
    const pay = await a.call('POST', `/api/reservations/${reservationId}/pay`, {
      token,
      body: {},
      headers: { 'idempotency-key': freshKey() },
    });
    expect(pay.status).to.be.oneOf([200, 202, 402]);
    expect((await a.call('GET', '/api/me/reservations', { token })).status).to.equal(200);
    expect((await a.call('DELETE', `/api/reservations/${reservationId}`, { token })).status).to.equal(200);
    expect((await a.call('GET', '/api/reservations/999999999', { token })).status).to.equal(404);

    // Notifications the commits left.
    expect((await a.call('GET', '/api/me/notifications', { token })).status).to.equal(200);
    expect((await a.call('GET', '/api/me/notifications/unread', { token })).status).to.equal(200);
    expect(
      (await a.call('POST', '/api/me/notifications/read', { token, body: { all: true } })).status,
    ).to.equal(200);

    // Staff listings: 200 for staff, 403 for a student; a duplicate code 409; a missing row 404.
    expect((await a.call('GET', '/api/staff/users?limit=5', { token: staffToken })).status).to.equal(200);
    expect((await a.call('GET', '/api/staff/users', { token })).status).to.equal(403);
    expect((await a.call('GET', '/api/staff/terms?order=newest', { token: staffToken })).status).to.equal(
      200,
    );
    expect((await a.call('GET', `/api/staff/terms/${reg.termId}`, { token: staffToken })).status).to.equal(
      200,
    );
    const dup = { code: `T-${reg.tag}`, name: 'Again', startsOn: '2027-03-01', endsOn: '2027-06-30' };
    expect((await a.call('POST', '/api/staff/terms', { token: staffToken, body: dup })).status).to.equal(409);
    const stale = { token: staffToken, body: { name: 'Renamed' }, headers: { 'if-match': '"v99"' } };
    expect((await a.call('PATCH', `/api/staff/terms/${reg.termId}`, stale)).status).to.equal(409);
    expect((await a.call('GET', `/api/staff/events/${sale.eventId}`, { token: staffToken })).status).to.equal(
      200,
    );
    expect((await a.call('GET', '/api/staff/sections?limit=2', { token: staffToken })).status).to.equal(200);
    expect((await a.call('GET', '/api/staff/audit', { token: staffToken })).status).to.equal(200);
    expect(
      (await a.call('GET', `/api/staff/lookup?q=${student.username}`, { token: staffToken })).status,
    ).to.equal(200);
    expect(
      (await a.call('GET', `/api/staff/events/${sale.eventId}/seats`, { token: staffToken })).status,
    ).to.equal(200);
    expect((await a.call('GET', '/api/staff/users/999999999', { token: staffToken })).status).to.equal(404);

    // No such route: 404 with the error shape (not a route of the document, so not checked against it).
    expect((await a.call('GET', '/api/nowhere')).status).to.equal(404);
    a.recorded.pop();

    expect(a.recorded.length).to.be.greaterThan(45);
    const problems = a.recorded.flatMap((r) => validator.api.check(r));
    expect(problems).to.deep.equal([]);
    // Every status the journey set out to see was seen (a journey that only met 200s proves little).
    expect([...new Set(a.recorded.map((r) => r.status))].sort()).to.include.members([
      200, 201, 202, 204, 400, 401, 403, 404, 409,
    ]);
  });

  it('answers a journey through the waiting room with what its document says', async () => {
    const token = tokenFor(api.cfg, student.id);
    const staffToken = tokenFor(api.cfg, staff.id, 'staff');
    expect((await w.call('GET', '/healthz')).status).to.equal(200);
    expect((await w.call('GET', '/rooms/openapi.json')).status).to.equal(200);
    expect((await w.call('GET', '/rooms')).status).to.equal(200);
    expect((await w.call('GET', `/rooms/${reg.roomId}`)).status).to.equal(200);
    expect((await w.call('GET', `/rooms/${reg.roomId}/`)).status).to.equal(200);
    expect((await w.call('GET', '/rooms/999999999')).status).to.equal(404);
    const join = { body: { clientRequestId: 'openapi-test-1' } };
    expect((await w.call('POST', `/rooms/${reg.roomId}/join`, join)).status).to.equal(401);
    expect((await w.call('POST', `/rooms/${reg.roomId}/join`, { token, ...join })).status).to.equal(201);
    expect((await w.call('POST', `/rooms/${reg.roomId}/join`, { token, ...join })).status).to.equal(200);
    expect((await w.call('POST', `/rooms/${reg.roomId}/join`, { token, body: {} })).status).to.equal(400);
    expect((await w.call('GET', `/rooms/${reg.roomId}/status`, { token })).status).to.equal(200);
    expect((await w.call('GET', `/rooms/${reg.roomId}/receipt`, { token })).status).to.equal(200);
    expect(
      (await w.call('GET', `/operator/rooms/${reg.roomId}/figures`, { token: staffToken })).status,
    ).to.equal(200);
    expect((await w.call('GET', `/operator/rooms/${reg.roomId}/figures`, { token })).status).to.equal(403);

    const problems = w.recorded.flatMap((r) => validator.room.check(r));
    expect(problems).to.deep.equal([]);
  });

  it('refuses an answer its document does not describe (the check can fail)', () => {
    const bad = [
      {
        method: 'GET',
        path: '/api/terms',
        status: 200,
        contentType: 'application/json',
        body: { terms: [{ id: 1 }] },
      },
      { method: 'GET', path: '/api/terms', status: 418, contentType: 'application/json', body: {} },
      {
        method: 'GET',
        path: '/api/sections/1',
        status: 404,
        contentType: 'application/json',
        body: { error: 'x' },
      },
    ];
    const problems = bad.map((r) => validator.api.check(r));
    expect(problems[0]).to.include("GET /api/terms → 200: /terms/0 must have required property 'code'");
    expect(problems[1]).to.deep.equal([
      'GET /api/terms → 418: status 418 is not documented for GET /api/terms',
    ]);
    expect(problems[2]).to.deep.equal(['GET /api/sections/1 → 404: /error must be object']);
  });
});

const validator = {
  api: new ResponseValidator(apiDocument()),
  room: new ResponseValidator(waitingRoomDocument()),
};
