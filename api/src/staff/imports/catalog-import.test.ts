import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import request from 'supertest';
import { apiInProcess, type ApiInProcess } from '../../../../test/support/api-in-process.js';
import { tokenFor } from '../../../../test/support/tokens.js';
import { createTestUser } from '../../../../test/support/users.js';
import { CATALOG_COLUMNS } from './catalog-file.js';

const HEADER = CATALOG_COLUMNS.join(',');

/**
 * A catalog file of its own (codes carry `tag`): `sections` sections over sections/2 courses, 5 majors and
 * 20 professors, each section meeting twice a week, so the file has 2 × sections data lines.
 */
function catalogLines(tag: string, sections: number, capacity = 30): string[] {
  const lines = [HEADER];
  for (let s = 0; s < sections; s++) {
    const course = Math.floor(s / 2);
    const major = course % 5;
    const prof = course % 20;
    for (const day of [1, 3]) {
      lines.push(
        [
          `M${tag}${major}`,
          `Major ${tag} ${major}`,
          `Prof ${prof}`,
          `p${prof}.${tag}@example.edu`,
          `C${tag}${course}`,
          `"Course ${course}, ""core"""`,
          3,
          (s % 2) + 1,
          capacity,
          day + (s % 2),
          '09:00',
          '10:15',
          'ENG 101',
        ].join(','),
      );
    }
  }
  return lines;
}

async function newTerm(db: Knex): Promise<number> {
  const tag = randomBytes(3).toString('hex');
  const [id] = await db('terms').insert({
    code: `I-${tag}`,
    name: `Import ${tag}`,
    starts_on: '2027-09-01',
    ends_on: '2027-12-20',
  });
  return id!;
}

/** Row counts of everything an import could touch, to prove a refused one left no trace. */
async function snapshot(db: Knex): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ['majors', 'professors', 'courses', 'sections', 'section_meetings', 'audit_log']) {
    const [row] = await db(t).count<{ n: number }[]>('* as n');
    out[t] = Number(row?.n);
  }
  return out;
}

describe('staff imports: a term’s catalog from CSV', function () {
  this.timeout(60_000);
  let api: ApiInProcess;
  let staff: string;
  let staffId: number;
  let student: string;

  before(async () => {
    api = await apiInProcess();
    const s = await createTestUser(api.db, 'staff');
    staffId = s.id;
    staff = `Bearer ${tokenFor(api.cfg, s.id, 'staff')}`;
    student = `Bearer ${tokenFor(api.cfg, (await createTestUser(api.db, 'student')).id, 'student')}`;
  });
  after(() => api.close());

  const post = (termId: number | string, csv: string, dryRun: boolean, auth = staff) =>
    request(api.app)
      .post('/api/staff/imports/catalog')
      .query({ termId: String(termId), dryRun: String(dryRun) })
      .set('authorization', auth)
      .set('content-type', 'text/csv')
      .send(csv);

  it('refuses students (403) and anonymous callers (401)', async () => {
    const termId = await newTerm(api.db);
    const res = await post(termId, catalogLines('STU', 1).join('\n'), true, student);
    expect(res.status).to.equal(403);
    const anon = await request(api.app).post(`/api/staff/imports/catalog?termId=${termId}`).send('x');
    expect(anon.status).to.equal(401);
  });

  it('validates the query and the body: 400, 404 TERM_NOT_FOUND, 415 CSV_REQUIRED', async () => {
    const termId = await newTerm(api.db);
    for (const query of [
      '',
      'termId=abc',
      'termId=01',
      `termId=${termId}&dryRun=yes`,
      `termId=${termId}&x=1`,
    ]) {
      const res = await request(api.app)
        .post(`/api/staff/imports/catalog?${query}`)
        .set('authorization', staff)
        .set('content-type', 'text/csv')
        .send(HEADER);
      expect(res.status, query).to.equal(400);
      expect(res.body.error.code).to.equal('VALIDATION_FAILED');
    }
    expect((await post(999_999_999, HEADER, true)).body.error.code).to.equal('TERM_NOT_FOUND');
    const json = await request(api.app)
      .post(`/api/staff/imports/catalog?termId=${termId}`)
      .set('authorization', staff)
      .send({ csv: HEADER });
    expect(json.status).to.equal(415);
    expect(json.body.error.code).to.equal('CSV_REQUIRED');
    const huge = await post(termId, `${HEADER}\n${'x'.repeat(5 * 1024 * 1024)}`, true);
    expect(huge.status).to.equal(413);
    expect(huge.body.error.code).to.equal('PAYLOAD_TOO_LARGE');
  });

  it('dry-runs the documented sample file: valid, and nothing written', async () => {
    const termId = await newTerm(api.db);
    const sample = readFileSync(
      new URL('../../../../docs/samples/catalog-sample.csv', import.meta.url),
      'utf8',
    );
    const before = await snapshot(api.db);
    const res = await post(termId, sample, true);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.equal({
      dryRun: true,
      valid: true,
      errors: [],
      wouldImport: { majors: 3, professors: 6, courses: 8, sections: 10, meetings: 20 },
    });
    expect(await snapshot(api.db)).to.deep.equal(before);
  });

  it('reports a header that does not match', async () => {
    const termId = await newTerm(api.db);
    const res = await post(termId, 'major_code,major_name,colour\nA,B,C\n', true);
    expect(res.body.valid).to.equal(false);
    const columns = (res.body.errors as { line: number; column: string }[]).map(
      (e) => `${e.line}:${e.column}`,
    );
    expect(columns).to.include('1:colour');
    expect(columns).to.include('1:course_code');
  });

  it('imports all of a file in one go, audits it, and re-imports as an update (upserts, meetings replaced)', async () => {
    const termId = await newTerm(api.db);
    const tag = randomBytes(2).toString('hex').toUpperCase();
    const res = await post(termId, catalogLines(tag, 10).join('\r\n'), false);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.equal({
      dryRun: false,
      imported: { majors: 5, professors: 5, courses: 5, sections: 10, meetings: 20 },
    });
    const sections = await api
      .db('sections')
      .where({ term_id: termId })
      .select<{ id: number; capacity: number }[]>('id', 'capacity');
    expect(sections).to.have.length(10);
    expect(sections.every((s) => s.capacity === 30)).to.equal(true);
    const course = await api
      .db('courses')
      .where({ code: `C${tag}0` })
      .first();
    expect(course.title).to.equal('Course 0, "core"');
    const meetings = await api
      .db('section_meetings')
      .whereIn(
        'section_id',
        sections.map((s) => s.id),
      )
      .orderBy('id');
    expect(meetings).to.have.length(20);
    expect(meetings[0].starts_at).to.equal('09:00:00');
    const audit = await api
      .db('audit_log')
      .where({ entity: 'import', entity_id: `catalog:term:${termId}` })
      .select('actor_user_id', 'action', 'after');
    expect(audit).to.have.length(1);
    expect(audit[0].actor_user_id).to.equal(staffId);
    const after = typeof audit[0].after === 'string' ? JSON.parse(audit[0].after) : audit[0].after;
    expect(after).to.include({ kind: 'catalog', termId, sections: 10, meetings: 20 });

    // The same file with a new capacity and one meeting per section: no duplicates, meetings replaced.
    const again = catalogLines(tag, 10, 45).filter((_, i) => i === 0 || i % 2 === 1);
    const res2 = await post(termId, again.join('\n'), false);
    expect(res2.status, JSON.stringify(res2.body)).to.equal(200);
    expect(res2.body.imported).to.deep.equal({
      majors: 5,
      professors: 5,
      courses: 5,
      sections: 10,
      meetings: 10,
    });
    const sections2 = await api
      .db('sections')
      .where({ term_id: termId })
      .select<{ id: number; capacity: number }[]>('id', 'capacity');
    expect(sections2.map((s) => s.id).sort()).to.deep.equal(sections.map((s) => s.id).sort());
    expect(sections2.every((s) => s.capacity === 45)).to.equal(true);
    // Where the staff editors keep a row version, the import bumps it only on rows it changed.
    if (await api.db.schema.hasColumn('sections', 'version'))
      expect(await api.db('sections').where({ term_id: termId }).distinct().pluck('version')).to.deep.equal([
        2,
      ]);
    if (await api.db.schema.hasColumn('majors', 'version'))
      expect(
        await api.db('majors').where('code', 'like', `M${tag}%`).distinct().pluck('version'),
      ).to.deep.equal([1]);
    expect(
      await api
        .db('section_meetings')
        .whereIn(
          'section_id',
          sections.map((s) => s.id),
        )
        .count<{ n: number }[]>('* as n'),
    ).to.deep.equal([{ n: 10 }]);
  });

  it('reports exactly the 3 bad lines of a file, and imports nothing in a dry run or a real one', async () => {
    const termId = await newTerm(api.db);
    const tag = randomBytes(2).toString('hex').toUpperCase();
    const lines = catalogLines(tag, 10);
    // Lines are numbered as in the file: lines[i] is line i + 1.
    lines[3] = lines[3]!.replace(',3,', ',x,'); // credits
    lines[8] = lines[8]!.replace(',10:15,', ',08:00,'); // ends before it starts
    lines[15] = lines[15]!.replace(/,ENG 101$/, ','); // no room
    const csv = `\uFEFF${lines.join('\r\n')}\r\n`;
    const expected = [
      { line: 4, column: 'credits', reason: 'must be a whole number from 1 to 30' },
      { line: 9, column: 'ends_at', reason: 'must be after starts_at' },
      { line: 16, column: 'room', reason: 'is required' },
    ];
    const before = await snapshot(api.db);

    const dry = await post(termId, csv, true);
    expect(dry.status).to.equal(200);
    expect(dry.body.valid).to.equal(false);
    expect(dry.body.errors).to.deep.equal(expected);
    expect(await snapshot(api.db)).to.deep.equal(before);

    const real = await post(termId, csv, false);
    expect(real.status).to.equal(422);
    expect(real.body.error.code).to.equal('IMPORT_INVALID');
    expect(real.body.error.details.errors).to.deep.equal(expected);
    expect(await snapshot(api.db)).to.deep.equal(before);
  });

  it('reports lines that contradict an earlier one (a course with two titles)', async () => {
    const termId = await newTerm(api.db);
    const lines = catalogLines(randomBytes(2).toString('hex').toUpperCase(), 2);
    lines[2] = lines[2]!.replace('Course 0', 'Other');
    const res = await post(termId, lines.join('\n'), true);
    expect(res.body.errors).to.deep.equal([
      { line: 3, column: 'course_title', reason: 'differs from line 2 (Course 0, "core")' },
    ]);
  });

  it('refuses a capacity below a section’s enrolled count, with its line, and writes nothing', async () => {
    const termId = await newTerm(api.db);
    const tag = randomBytes(2).toString('hex').toUpperCase();
    expect((await post(termId, catalogLines(tag, 2).join('\n'), false)).status).to.equal(200);
    await api.db('sections').where({ term_id: termId, section_number: 2 }).update({ enrolled: 20 });
    const before = await snapshot(api.db);
    const lower = catalogLines(tag, 2, 10).join('\n');
    const expected = [
      { line: 4, column: 'capacity', reason: 'is below the 20 students already enrolled in this section' },
    ];
    expect((await post(termId, lower, true)).body.errors).to.deep.equal(expected);
    const real = await post(termId, lower, false);
    expect(real.status).to.equal(422);
    expect(real.body.error.details.errors).to.deep.equal(expected);
    expect(await snapshot(api.db)).to.deep.equal(before);
    expect(await api.db('sections').where({ term_id: termId }).pluck('capacity')).to.deep.equal([30, 30]);
  });

  it('imports a 10,000-line file (the time is printed, not asserted)', async () => {
    const termId = await newTerm(api.db);
    const tag = randomBytes(2).toString('hex').toUpperCase();
    const csv = catalogLines(tag, 5_000).join('\n');
    const started = performance.now();
    const res = await post(termId, csv, false);
    const ms = performance.now() - started;
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).to.equal(200);
    console.log(`      10,000-line catalog import took ${Math.round(ms)} ms`);
    expect(res.body.imported).to.deep.equal({
      majors: 5,
      professors: 20,
      courses: 2_500,
      sections: 5_000,
      meetings: 10_000,
    });
    const [row] = await api
      .db('section_meetings as m')
      .join('sections as s', 's.id', 'm.section_id')
      .where('s.term_id', termId)
      .count<{ n: number }[]>('* as n');
    expect(Number(row?.n)).to.equal(10_000);
  });
});
