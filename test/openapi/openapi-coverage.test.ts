import { expect } from 'chai';
import { apiRouteDocs } from '../../api/src/openapi/api-route-docs.js';
import { apiDocument } from '../../api/src/openapi/api-document.js';
import type { RouteDoc } from '../../core/openapi/route-doc.js';
import {
  waitingRoomDocument,
  waitingRoomRouteDocs,
} from '../../waiting-room/src/openapi/waiting-room-document.js';
import { listRoutes } from '../hostile/route-inventory.js';
import { apiInProcess, type ApiInProcess } from '../support/api-in-process.js';
import { startWaitingRoom, type RunningWaitingRoom } from '../support/waiting-room-harness.js';
import { coverageProblems } from './route-coverage.js';

describe('OpenAPI documents: every express route is in them', function () {
  let api: ApiInProcess;
  let wr: RunningWaitingRoom;

  before(async () => {
    api = await apiInProcess();
    wr = await startWaitingRoom({ controller: false });
  });
  after(async () => {
    await wr?.stop();
    await api?.close();
  });

  it("documents each route of the api's router stack, and no route it does not serve", () => {
    const routes = listRoutes('api', api.app);
    // A stack read wrongly (express internals moved) would find nothing and pass: it must find the api.
    expect(routes.length).to.be.greaterThan(50);
    expect(coverageProblems(routes, apiRouteDocs)).to.deep.equal([]);
  });

  it("documents each route of the waiting room's router stack, and no route it does not serve", () => {
    const routes = listRoutes('waiting-room', wr.room.app);
    expect(routes.length).to.be.greaterThan(10);
    expect(coverageProblems(routes, waitingRoomRouteDocs)).to.deep.equal([]);
  });

  it('names a route missing from a table, and a row without a route', () => {
    const routes = listRoutes('api', api.app);
    const withoutLogin = apiRouteDocs.filter((d) => d.path !== '/api/auth/login');
    const ghost: RouteDoc = { ...(apiRouteDocs[0] as RouteDoc), path: '/api/nowhere' };
    expect(coverageProblems(routes, [...withoutLogin, ghost])).to.deep.equal([
      'api: POST /api/auth/login is served but not in the OpenAPI document',
      'GET /api/nowhere is documented but no route serves it',
    ]);
  });

  it('serves OpenAPI 3.1 documents with each operation once, its parameters and the shared error', async () => {
    for (const doc of [apiDocument(), waitingRoomDocument()]) {
      expect(doc.openapi).to.equal('3.1.0');
      expect(doc.components.schemas).to.have.property('Error');
      const ids = Object.values(doc.paths).flatMap((item) =>
        Object.values(item).map((op) => (op as { operationId: string }).operationId),
      );
      expect(new Set(ids).size, 'operationIds are unique').to.equal(ids.length);
    }
    const res = await fetch(`${wr.url}/rooms/openapi.json`);
    expect(res.status).to.equal(200);
    const served = (await res.json()) as ReturnType<typeof waitingRoomDocument>;
    expect(Object.keys(served.paths)).to.include('/rooms/{roomId}/join');

    const sections = apiDocument().paths['/api/terms/{termId}/sections']?.get as {
      parameters: { name: string; in: string; required: boolean }[];
      responses: Record<string, { content: Record<string, { schema: unknown }> }>;
    };
    // From the route's own zod schemas: the path id, every filter of sectionQuery, no others.
    expect(sections.parameters.map((p) => `${p.in}:${p.name}:${p.required}`)).to.deep.equal([
      'path:termId:true',
      'query:q:false',
      'query:majorId:false',
      'query:professorId:false',
      'query:day:false',
      'query:from:false',
      'query:to:false',
      'query:credits:false',
      'query:hasSeats:false',
      'query:limit:false',
      'query:cursor:false',
    ]);
    expect(sections.responses['400']?.content['application/json']?.schema).to.deep.equal({
      $ref: '#/components/schemas/Error',
    });
  });
});
