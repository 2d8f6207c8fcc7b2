import { expect } from 'chai';
import { clashesAmong, meetingsOverlap, minutesOfDay, type Meeting } from './meetings.js';

const m = (day: number, start: string, end: string): Meeting => ({
  day,
  start: minutesOfDay(start),
  end: minutesOfDay(end),
});

describe('timetable meetings', () => {
  it('reads HH:MM and HH:MM:SS as minutes since midnight', () => {
    expect(minutesOfDay('09:30')).to.equal(570);
    expect(minutesOfDay('23:59:00')).to.equal(1439);
  });

  it('overlap on the same day only, with back-to-back classes not clashing', () => {
    expect(meetingsOverlap(m(1, '09:00', '10:15'), m(1, '10:00', '11:00'))).to.equal(true);
    expect(meetingsOverlap(m(1, '09:00', '10:15'), m(1, '10:15', '11:00'))).to.equal(false);
    expect(meetingsOverlap(m(1, '09:00', '12:00'), m(1, '10:00', '11:00'))).to.equal(true);
    expect(meetingsOverlap(m(1, '09:00', '10:15'), m(2, '09:00', '10:15'))).to.equal(false);
  });

  it('lists, for each timetable, the others it clashes with, and leaves the clash-free ones out', () => {
    const clashes = clashesAmong(
      new Map([
        ['a', [m(1, '09:00', '09:50'), m(3, '09:00', '09:50')]],
        ['b', [m(3, '09:30', '10:20')]],
        ['c', [m(1, '09:45', '10:00')]],
        ['d', [m(5, '09:00', '09:50')]],
        ['e', []],
      ]),
    );
    expect(Object.fromEntries(clashes)).to.deep.equal({ a: ['b', 'c'], b: ['a'], c: ['a'] });
  });
});
