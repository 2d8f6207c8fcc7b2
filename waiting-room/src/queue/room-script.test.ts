import { expect } from 'chai';
import { decodeReply, roomScript } from './room-script.js';
import * as scripts from './room-scripts.js';

const STATUSLIKE = roomScript({
  name: 'STATUSLIKE',
  keys: ['state'],
  argv: [],
  fields: ['status', 'phase', 'active'],
  mayFindNoRoom: true,
  lua: '',
});

const PHASELIKE = roomScript({ ...STATUSLIKE, name: 'PHASELIKE', mayFindNoRoom: false });

describe('Lua reply decoding', () => {
  it('names each value by its declared field, integers as strings', () => {
    expect(decodeReply(STATUSLIKE, ['OK', 'open', 3])).to.deep.equal({
      status: 'OK',
      phase: 'open',
      active: '3',
    });
  });

  it("reads {'NO_ROOM'} as no room when the script may find none", () => {
    expect(decodeReply(STATUSLIKE, ['NO_ROOM'])).to.equal(undefined);
  });

  it("fails on {'NO_ROOM'} from a script that always finds its room", () => {
    expect(() => decodeReply(PHASELIKE, ['NO_ROOM'])).to.throw(
      'PHASELIKE replied 1 values, expected 3 values (status, phase, active)',
    );
  });

  it('fails naming the script and its fields when the reply is shorter or longer than declared', () => {
    expect(() => decodeReply(STATUSLIKE, ['OK', 'open'])).to.throw(
      "STATUSLIKE replied 2 values, expected 3 values (status, phase, active) or {'NO_ROOM'}",
    );
    expect(() => decodeReply(STATUSLIKE, ['OK', 'open', 1, 2])).to.throw('STATUSLIKE replied 4 values');
  });

  it('fails when the reply is not a list or holds something other than a string or an integer', () => {
    expect(() => decodeReply(STATUSLIKE, 1)).to.throw('STATUSLIKE replied number, not a list of 3 values');
    expect(() => decodeReply(STATUSLIKE, ['OK', null, 1])).to.throw(
      'STATUSLIKE replied a object for phase, expected a string or an integer',
    );
  });

  it('has every room script declare distinct names for its keys, arguments and fields', () => {
    for (const s of Object.values(scripts)) {
      for (const names of [s.keys, s.argv, s.fields])
        expect(new Set(names).size, s.name).to.equal(names.length);
    }
  });

  it('has every room script declare as many keys and arguments as its Lua reads', () => {
    const highest = (lua: string, table: string) =>
      Math.max(0, ...[...lua.matchAll(new RegExp(`${table}\\[(\\d+)\\]`, 'g'))].map((m) => Number(m[1])));
    for (const s of Object.values(scripts)) {
      expect(highest(s.lua, 'KEYS'), `${s.name} KEYS`).to.equal(s.keys.length);
      expect(highest(s.lua, 'ARGV'), `${s.name} ARGV`).to.equal(s.argv.length);
    }
  });
});
