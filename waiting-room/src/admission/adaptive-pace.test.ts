import { expect } from 'chai';
import { MAX_STEP_MS, nextPace, type PaceState, type PaceTargets } from './adaptive-pace.js';

const targets: PaceTargets = {
  backlogTarget: 100,
  p99TargetMs: 1_000,
  floorPerMin: 60,
  increasePerMinPerS: 600,
  decreaseFactor: 0.5,
  cutIntervalMs: 1_000,
};
const CEILING = 6_000;
const at = (ratePerMin: number, updatedAtMs = 0, cutAtMs: number | null = null): PaceState => ({
  ratePerMin,
  updatedAtMs,
  cutAtMs,
});
const calm = (nowMs: number) => ({ backlog: 0, p99Ms: null, nowMs });

describe('adaptive pace (AIMD)', () => {
  it('starts a room never paced at the ceiling', () => {
    const r = nextPace(null, 'adaptive', CEILING, calm(5), targets);
    expect(r.state).to.deep.equal({ ratePerMin: CEILING, updatedAtMs: 5, cutAtMs: null });
  });

  it('increases additively, in proportion to the time under target', () => {
    const one = nextPace(at(1_000), 'adaptive', CEILING, calm(1_000), targets);
    expect(one.step).to.equal('increase');
    expect(one.state.ratePerMin).to.equal(1_600);
    const half = nextPace(
      one.state,
      'adaptive',
      CEILING,
      { backlog: 100, p99Ms: 1_000, nowMs: 1_500 },
      targets,
    );
    expect(half.state.ratePerMin, 'exactly at target is under it').to.equal(1_900);
  });

  it('counts a long gap (a stall, a new leader) as at most MAX_STEP_MS', () => {
    const r = nextPace(at(1_000), 'adaptive', CEILING, calm(60_000), targets);
    expect(r.state.ratePerMin).to.equal(1_000 + (600 * MAX_STEP_MS) / 1_000);
  });

  it('increases up to the ceiling and not past it', () => {
    let s = at(1_000);
    const rates: number[] = [];
    for (let t = 1; t <= 20; t++) {
      s = nextPace(s, 'adaptive', CEILING, calm(t * 1_000), targets).state;
      rates.push(s.ratePerMin);
    }
    expect(rates.slice(0, 8)).to.deep.equal([1_600, 2_200, 2_800, 3_400, 4_000, 4_600, 5_200, 5_800]);
    expect(rates.slice(8)).to.deep.equal(new Array<number>(12).fill(CEILING));
    expect(nextPace(s, 'adaptive', CEILING, calm(21_000), targets).step).to.equal('hold');
  });

  it('decreases multiplicatively when the backlog is over target', () => {
    const r = nextPace(at(4_000), 'adaptive', CEILING, { backlog: 101, p99Ms: null, nowMs: 500 }, targets);
    expect(r.step).to.equal('decrease');
    expect(r.state).to.deep.equal({ ratePerMin: 2_000, updatedAtMs: 500, cutAtMs: 500 });
  });

  it('decreases multiplicatively when the p99 is over target', () => {
    const r = nextPace(at(4_000), 'adaptive', CEILING, { backlog: 0, p99Ms: 1_001, nowMs: 500 }, targets);
    expect(r.step).to.equal('decrease');
    expect(r.state.ratePerMin).to.equal(2_000);
  });

  it('cuts at most once per cut interval, holding in between', () => {
    const over = (nowMs: number) => ({ backlog: 500, p99Ms: 5_000, nowMs });
    let s = at(4_000);
    const steps: string[] = [];
    const rates: number[] = [];
    for (const t of [0, 250, 500, 999, 1_000, 1_500, 2_000]) {
      const r = nextPace(s, 'adaptive', CEILING, over(t), targets);
      s = r.state;
      steps.push(r.step);
      rates.push(s.ratePerMin);
    }
    expect(steps).to.deep.equal(['decrease', 'hold', 'hold', 'hold', 'decrease', 'hold', 'decrease']);
    expect(rates).to.deep.equal([2_000, 2_000, 2_000, 2_000, 1_000, 1_000, 500]);
  });

  it('never goes below the floor', () => {
    let s = at(200);
    for (let t = 0; t < 10; t++) {
      s = nextPace(s, 'adaptive', CEILING, { backlog: 1e6, p99Ms: null, nowMs: t * 1_000 }, targets).state;
    }
    expect(s.ratePerMin).to.equal(60);
  });

  it('takes a ceiling below the floor as both (the operator’s maximum wins)', () => {
    const r = nextPace(at(30), 'adaptive', 30, { backlog: 1e6, p99Ms: null, nowMs: 5_000 }, targets);
    expect(r.state.ratePerMin).to.equal(30);
  });

  it('follows an operator who lowers the maximum at once, and one who raises it additively', () => {
    const lowered = nextPace(at(5_000), 'adaptive', 2_000, calm(0), targets);
    expect(lowered.state.ratePerMin).to.equal(2_000);
    const raised = nextPace(lowered.state, 'adaptive', 10_000, calm(1_000), targets);
    expect(raised.state.ratePerMin).to.equal(2_600);
  });

  it('stays at the ceiling when pinned (fixed), whatever the signals', () => {
    for (const signals of [calm(1_000), { backlog: 1e6, p99Ms: 60_000, nowMs: 2_000 }]) {
      const r = nextPace(at(100, 0, 0), 'fixed', CEILING, signals, targets);
      expect(r.step).to.equal('pinned');
      expect(r.state.ratePerMin).to.equal(CEILING);
    }
  });
});
