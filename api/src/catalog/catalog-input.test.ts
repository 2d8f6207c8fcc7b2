import { expect } from 'chai';
import request from 'supertest';
import { encodeSectionCursor } from './section-cursor.js';
import { apiInProcess, type ApiInProcess } from '../../../test/support/api-in-process.js';
import { createCatalogWorld, type CatalogWorld } from '../../../test/support/catalog-world.js';

/** Every bad input is a clear 400 JSON error, never a 500 and never a quietly different answer. */
describe('catalog: refusing bad input', function () {
  this.timeout(15_000);
  let api: ApiInProcess;
  let w: CatalogWorld;

  before(async () => {
    api = await apiInProcess();
    w = await createCatalogWorld(api.db);
  });
  after(() => api.close());

  async function expect400(path: string, field?: string) {
    const res = await request(api.app).get(path);
    expect(res.status, `${path}: ${JSON.stringify(res.body)}`).to.equal(400);
    expect(res.body.error.code, path).to.equal('VALIDATION_FAILED');
    expect(res.body.error.message, path).to.be.a('string').and.not.empty;
    if (field) expect(res.body.error.details.fields[0].path, path).to.equal(field);
  }

  const BAD_IDS = [
    '0x1',
    '+1',
    '01',
    '1e0',
    '-1',
    '0',
    '1.0',
    '1%20',
    'abc',
    '99999999999999999999',
    '9007199254740993',
  ];
  const sections = () => `/api/terms/${w.termId}/sections`;

  it('refuses ids that are not plain positive decimal integers, in paths and in filters', async () => {
    for (const bad of BAD_IDS) {
      const id = encodeURIComponent(bad);
      await expect400(`/api/terms/${id}/sections`, 'termId');
      await expect400(`/api/terms/${id}/majors`, 'termId');
      await expect400(`/api/sections/${id}`, 'id');
      await expect400(`${sections()}?majorId=${id}`, 'majorId');
      await expect400(`${sections()}?professorId=${id}`, 'professorId');
    }
  });

  it('refuses bad days, times and time ranges', async () => {
    for (const q of ['day=0', 'day=8', 'day=1,x', 'day=1,,3', 'day=mon', 'day=1.0']) {
      await expect400(`${sections()}?${q}`, 'day');
    }
    for (const q of ['from=25:00', 'from=9:00', 'from=09:60', 'from=0900', 'to=24:00', 'to=12:00:00']) {
      await expect400(`${sections()}?${q}`, q.slice(0, q.indexOf('=')));
    }
    await expect400(`${sections()}?from=10:00&to=09:00`, 'to');
    await expect400(`${sections()}?from=10:00&to=10:00`, 'to');
  });

  it('refuses a limit out of 1–100 and other malformed scalars', async () => {
    for (const q of ['limit=0', 'limit=101', 'limit=-1', 'limit=abc', 'limit=1e1', 'limit=', 'limit=020']) {
      await expect400(`${sections()}?${q}`, 'limit');
    }
    for (const q of ['credits=0', 'credits=x', 'credits=100'])
      await expect400(`${sections()}?${q}`, 'credits');
    for (const q of ['hasSeats=1', 'hasSeats=yes', 'hasSeats='])
      await expect400(`${sections()}?${q}`, 'hasSeats');
    await expect400(`${sections()}?q=${'x'.repeat(101)}`, 'q');
    await expect400(`${sections()}?q=a&q=b`, 'q');
  });

  it('refuses cursors it did not give: garbage, not base64url, tampered into another shape', async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const good = encodeSectionCursor({
      code: w.courses.intro.code,
      sectionNumber: 1,
      id: w.sections['intro-1'],
    });
    expect((await request(api.app).get(`${sections()}?cursor=${good}`)).status).to.equal(200);
    const bad = [
      '!!!',
      'not a cursor',
      'abc', // base64url, but not JSON
      good.slice(0, -3), // truncated
      good.replace(/[A-Za-z]/, (c) => (c === 'A' ? 'B' : 'A')), // one character changed
      b64({ code: 'CS101', sectionNumber: 1, id: 1 }),
      b64(['CS101', 1]),
      b64(['CS101', -1, 1]),
      b64(['CS101', 1, 0]),
      b64(['CS101', 1, '7']),
      b64(['', 1, 1]),
      b64(['CS101', 1.5, 1]),
      b64(['CS101', 1, 1, 'extra']),
      'x'.repeat(300),
    ];
    for (const cursor of bad) await expect400(`${sections()}?cursor=${encodeURIComponent(cursor)}`, 'cursor');
  });

  it('refuses unknown query parameters rather than ignoring them (a misspelt filter would list everything)', async () => {
    await expect400(`${sections()}?majorID=1`);
    await expect400(`${sections()}?page=2`);
  });
});
