import { expect } from 'chai';
import {
  increasePerS,
  MAX_STEP_MS,
  nextPace,
  SLOW_START_EXIT_FACTOR,
  SLOW_START_EXIT_IDLE_BELOW,
  type PaceSignals,
  type PaceState,
  type PaceTargets,
} from './adaptive-pace.js';

const targets: PaceTargets = {
  startPerMin: 1_500,
  slowStartDoublingMs: 2_000,
  backlogTarget: 100,
  p99TargetMs: 1_000,
  intakeTarget: 64,
  intakeHoldTargetMs: 200,
  floorPerMin: 60,
  increasePerMinPerS: 600,
  increaseShareOfPacePerS: 0.1,
  decreaseFactor: 0.5,
  cutIntervalMs: 1_000,
};
const CEILING = 6_000;
/** A pace past its slow start (cut once, long ago) unless told otherwise. */
const at = (ratePerMin: number, updatedAtMs = 0, cutAtMs: number | null = -60_000): PaceState => ({
  ratePerMin,
  updatedAtMs,
  cutAtMs,
});
/** An api process holding `held` submissions on average, each for `holdMs` (over its target unless told). */
const api = (held: number, holdMs: number | null = 500) => ({ held, holdMs });
const calm = (nowMs: number): PaceSignals => ({
  backlog: 0,
  p99Ms: null,
  intake: null,
  deliveredPerMin: null,
  nowMs,
  admitting: true,
  hostIdleShare: null,
});

describe('adaptive pace (AIMD)', () => {
  it('starts a room never paced at the start pace (its ceiling if lower)', () => {
    const r = nextPace(null, 'adaptive', CEILING, calm(5), targets);
    expect(r.state).to.deep.equal({ ratePerMin: 1_500, updatedAtMs: 5, cutAtMs: null });
    expect(nextPace(null, 'adaptive', 1_000, calm(5), targets).state.ratePerMin).to.equal(1_000);
  });

  it('doubles every slowStartDoublingMs until a signal is halfway to its target (slow start), leaves at half its pace, then grows by a share', () => {
    let s = nextPace(null, 'adaptive', 600_000, calm(0), targets).state;
    const rates: number[] = [];
    for (let t = 1; t <= 4; t++) {
      s = nextPace(s, 'adaptive', 600_000, calm(t * targets.slowStartDoublingMs), targets).state;
      rates.push(Math.round(s.ratePerMin));
    }
    expect(rates).to.deep.equal([3_000, 6_000, 12_000, 24_000]);
    expect(nextPace(s, 'adaptive', 600_000, calm(9_000), targets).state.ratePerMin).to.be.closeTo(
      24_000 * Math.SQRT2,
      1e-6,
    );
    s = { ...s, ratePerMin: 24_000 };
    // Half the backlog target: slow start ends at half its pace (one doubling back), as if cut one
    // interval ago.
    const exited = nextPace(s, 'adaptive', 600_000, { ...calm(5_000), backlog: 51 }, targets);
    expect(SLOW_START_EXIT_FACTOR).to.equal(0.5);
    expect(exited.step).to.equal('decrease');
    expect(exited.state).to.deep.equal({ ratePerMin: 12_000, updatedAtMs: 5_000, cutAtMs: 4_000 });
    // 10 % of the pace per second from now on…
    expect(nextPace(exited.state, 'adaptive', 600_000, calm(6_000), targets).state.ratePerMin).to.equal(
      13_200,
    );
    // …and a signal over its target may cut at once.
    const cut = nextPace(exited.state, 'adaptive', 600_000, { ...calm(5_100), intake: api(65) }, targets);
    expect(cut.step).to.equal('decrease');
    expect(cut.state.ratePerMin).to.equal(6_000);
  });

  it('doubles every second when told to', () => {
    const fast = { ...targets, slowStartDoublingMs: 1_000 };
    const s = nextPace(at(1_500, 0, null), 'adaptive', 600_000, calm(1_000), fast);
    expect(s.state.ratePerMin).to.equal(3_000);
    expect(nextPace(s.state, 'adaptive', 600_000, calm(1_500), fast).state.ratePerMin).to.be.closeTo(
      3_000 * Math.SQRT2,
      1e-6,
    );
  });

  it('leaves slow start at half its pace on a host out of CPU, whatever the pipeline delivers', () => {
    const s = at(24_000, 0, null);
    const exit = (over: Partial<PaceSignals>) =>
      nextPace(s, 'adaptive', 600_000, { ...calm(1_000), hostIdleShare: 0.1, ...over }, targets);
    // What it delivers then is all the host does, with people admitted in the last second still to come.
    expect(exit({ deliveredPerMin: 30_000 }).state).to.deep.equal({
      ratePerMin: 12_000,
      updatedAtMs: 1_000,
      cutAtMs: 0,
    });
    expect(exit({ deliveredPerMin: 18_000, backlog: 51 }).state.ratePerMin, 'and a signal').to.equal(12_000);
    expect(exit({ deliveredPerMin: null }).step).to.equal('decrease');
    // Past slow start the host says nothing: the pace keeps growing while the signals are under target.
    expect(
      nextPace(at(24_000), 'adaptive', 600_000, { ...calm(1_000), hostIdleShare: 0 }, targets).step,
    ).to.equal('increase');
  });

  it('leaves slow start no lower than what the pipeline delivers, and never higher than its pace', () => {
    const s = at(24_000, 0, null);
    const exit = (deliveredPerMin: number | null) =>
      nextPace(s, 'adaptive', 600_000, { ...calm(1_000), backlog: 51, deliveredPerMin }, targets).state;
    // Delivering 18,000/min with every signal under its target: it takes that much, so the pace stays there.
    expect(exit(18_000)).to.deep.equal({ ratePerMin: 18_000, updatedAtMs: 1_000, cutAtMs: 0 });
    // Delivering less than half the pace, or unknown: half the pace, as before.
    expect(exit(9_000).ratePerMin).to.equal(12_000);
    expect(exit(null).ratePerMin).to.equal(12_000);
    // Delivering more than the pace (a backlog drained): no higher than the pace.
    expect(exit(30_000).ratePerMin).to.equal(24_000);
  });

  it("leaves slow start at half of any target (the api's hold at its whole target), or on a host out of CPU, not before", () => {
    const start = nextPace(null, 'adaptive', 600_000, calm(0), targets).state;
    const step = (over: Partial<PaceSignals>) =>
      nextPace(start, 'adaptive', 600_000, { ...calm(1_000), ...over }, targets);
    expect(step({ backlog: 50 }).step, 'exactly half').to.equal('increase');
    expect(step({ p99Ms: 500 }).step).to.equal('increase');
    expect(step({ intake: api(32) }).step).to.equal('increase');
    expect(step({ intake: api(33, 100) }).step, 'many held, each briefly').to.equal('increase');
    // Half the hold target is within the api's floor at any real load: not a queue yet.
    expect(step({ intake: api(33, 200) }).step, 'held no longer than the target').to.equal('increase');
    expect(SLOW_START_EXIT_IDLE_BELOW).to.equal(0.2);
    expect(step({ hostIdleShare: 0.2 }).step, 'a fifth of the host idle').to.equal('increase');
    expect(step({ hostIdleShare: null }).step, 'host unknown').to.equal('increase');
    for (const over of [
      { backlog: 51 },
      { p99Ms: 501 },
      { intake: api(33) },
      { intake: api(33, 201) },
      { intake: api(33, null) },
      { hostIdleShare: 0.19 },
    ]) {
      expect(step(over).state, JSON.stringify(over)).to.deep.equal({
        ratePerMin: 750,
        updatedAtMs: 1_000,
        cutAtMs: 0,
      });
    }
  });

  it('increases additively, in proportion to the time under target', () => {
    const one = nextPace(at(1_000), 'adaptive', CEILING, calm(1_000), targets);
    expect(one.step).to.equal('increase');
    expect(one.state.ratePerMin).to.equal(1_600);
    const half = nextPace(
      one.state,
      'adaptive',
      CEILING,
      {
        backlog: 100,
        p99Ms: 1_000,
        intake: null,
        deliveredPerMin: null,
        nowMs: 1_500,
        admitting: true,
        hostIdleShare: null,
      },
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
    const r = nextPace(
      at(4_000),
      'adaptive',
      CEILING,
      {
        backlog: 101,
        p99Ms: null,
        intake: null,
        deliveredPerMin: null,
        nowMs: 500,
        admitting: true,
        hostIdleShare: null,
      },
      targets,
    );
    expect(r.step).to.equal('decrease');
    expect(r.state).to.deep.equal({ ratePerMin: 2_000, updatedAtMs: 500, cutAtMs: 500 });
  });

  it('decreases multiplicatively when the p99 is over target', () => {
    const r = nextPace(
      at(4_000),
      'adaptive',
      CEILING,
      {
        backlog: 0,
        p99Ms: 1_001,
        intake: null,
        deliveredPerMin: null,
        nowMs: 500,
        admitting: true,
        hostIdleShare: null,
      },
      targets,
    );
    expect(r.step).to.equal('decrease');
    expect(r.state.ratePerMin).to.equal(2_000);
  });

  it('reads a p99 over target as the past when nothing is in flight: no cut, the pace grows', () => {
    const step = (backlog: number, held: number | null) =>
      nextPace(
        at(4_000),
        'adaptive',
        CEILING,
        { ...calm(500), backlog, p99Ms: 3_000, intake: held === null ? null : api(held) },
        targets,
      );
    // No backlog and the api holding nothing: the pipeline is idle whatever the last seconds' p99 says.
    expect(step(0, 0).step).to.equal('increase');
    // Anything in flight, or an api that has not said (null), and the p99 stands.
    expect(step(1, 0).step).to.equal('decrease');
    expect(step(0, 0.2).step).to.equal('decrease');
    expect(step(0, null).step).to.equal('decrease');
  });

  it('leaves slow start on a p99 only while something is in flight', () => {
    const slow = (held: number) =>
      nextPace(
        at(4_000, 0, null),
        'adaptive',
        CEILING,
        { ...calm(500), p99Ms: 600, intake: api(held) },
        targets,
      );
    expect(slow(0).step).to.equal('increase');
    expect(slow(1).state.ratePerMin).to.equal(4_000 * SLOW_START_EXIT_FACTOR);
  });

  it('decreases multiplicatively when the api holds more submissions than its target, each for longer than its target', () => {
    const step = (intake: PaceSignals['intake']) =>
      nextPace(at(4_000), 'adaptive', CEILING, { ...calm(500), intake }, targets);
    expect(step(api(65)).step).to.equal('decrease');
    expect(step(api(65)).state.ratePerMin).to.equal(2_000);
    expect(step(api(65, 201)).step).to.equal('decrease');
    // A process that does not say how long it holds: judged by its count alone.
    expect(step(api(65, null)).step).to.equal('decrease');
    // At the target, held briefly (throughput, not a queue), and when no api process published lately,
    // the pace grows as it would.
    expect(step(api(64)).step).to.equal('increase');
    expect(step(api(5_000, 200)).step).to.equal('increase');
    expect(step(null).step).to.equal('increase');
  });

  it('cuts at most once per cut interval, holding in between', () => {
    const over = (nowMs: number) => ({
      backlog: 500,
      p99Ms: 5_000,
      intake: null,
      deliveredPerMin: null,
      nowMs,
      admitting: true,
      hostIdleShare: null,
    });
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
      s = nextPace(
        s,
        'adaptive',
        CEILING,
        {
          backlog: 1e6,
          p99Ms: null,
          intake: null,
          deliveredPerMin: null,
          nowMs: t * 1_000,
          admitting: true,
          hostIdleShare: null,
        },
        targets,
      ).state;
    }
    expect(s.ratePerMin).to.equal(60);
  });

  it('takes a ceiling below the floor as both (the operator’s maximum wins)', () => {
    const r = nextPace(
      at(30),
      'adaptive',
      30,
      {
        backlog: 1e6,
        p99Ms: null,
        intake: null,
        deliveredPerMin: null,
        nowMs: 5_000,
        admitting: true,
        hostIdleShare: null,
      },
      targets,
    );
    expect(r.state.ratePerMin).to.equal(30);
  });

  it('follows an operator who lowers the maximum at once, and one who raises it additively', () => {
    const lowered = nextPace(at(5_000), 'adaptive', 2_000, calm(0), targets);
    expect(lowered.state.ratePerMin).to.equal(2_000);
    const raised = nextPace(lowered.state, 'adaptive', 10_000, calm(1_000), targets);
    expect(raised.state.ratePerMin).to.equal(2_600);
  });

  it('grows by a share of the pace, never less than the flat step', () => {
    expect(increasePerS(1_000, targets), '10 % of 1,000 is below the flat 600').to.equal(600);
    expect(increasePerS(300_000, targets)).to.equal(30_000);
    // A pace halved from 600,000/min climbs back in about 7 s, not the 500 s a flat 600/min per second takes.
    let s = at(300_000, 0, 0);
    const rates: number[] = [];
    for (let t = 1; t <= 8; t++) {
      s = nextPace(s, 'adaptive', 600_000, calm(t * 1_000), targets).state;
      rates.push(Math.round(s.ratePerMin));
    }
    expect(rates).to.deep.equal([330_000, 363_000, 399_300, 439_230, 483_153, 531_468, 584_615, 600_000]);
  });

  it('cuts no lower than its factor of what the pipeline delivers, and not at all below that', () => {
    const over = (deliveredPerMin: number | null) => ({ ...calm(500), intake: api(500), deliveredPerMin });
    // Admitting 40,000/min while 30,000/min are decided: half the pace is more than half of what is
    // delivered, so the plain halving …
    expect(nextPace(at(40_000), 'adaptive', 600_000, over(30_000), targets).state.ratePerMin).to.equal(
      20_000,
    );
    // … and a pace already halved below what the pipeline drains is cut to half the drain, not lower.
    const drained = nextPace(at(20_000), 'adaptive', 600_000, over(36_000), targets);
    expect(drained.step).to.equal('decrease');
    expect(drained.state.ratePerMin).to.equal(18_000);
    // At or below half of it: held, so the queue drains while people are still let in.
    const held = nextPace(at(10_000), 'adaptive', 600_000, over(36_000), targets);
    expect(held.step).to.equal('hold');
    expect(held.state).to.deep.equal({ ratePerMin: 10_000, updatedAtMs: 500, cutAtMs: -60_000 });
    // Nothing known delivered: the plain halving.
    expect(nextPace(at(10_000), 'adaptive', 600_000, over(null), targets).state.ratePerMin).to.equal(5_000);
  });

  it('does not grow while the room admits nobody, nor all at once when it admits again', () => {
    const idle = (nowMs: number) => ({ ...calm(nowMs), admitting: false, hostIdleShare: null });
    const held = nextPace(at(1_000), 'adaptive', CEILING, idle(1_000), targets);
    expect(held.step).to.equal('hold');
    expect(held.state).to.deep.equal({ ratePerMin: 1_000, updatedAtMs: 1_000, cutAtMs: -60_000 });
    const later = nextPace(held.state, 'adaptive', CEILING, idle(30_000), targets);
    expect(later.state.ratePerMin).to.equal(1_000);
    // Admitting again: only the half second since the last step counts, not the idle time before it.
    const resumed = nextPace(later.state, 'adaptive', CEILING, calm(30_500), targets);
    expect(resumed.state.ratePerMin).to.equal(1_300);
  });

  it('still cuts while the room admits nobody, when a signal is over target', () => {
    const r = nextPace(
      at(4_000),
      'adaptive',
      CEILING,
      {
        backlog: 101,
        p99Ms: null,
        intake: null,
        deliveredPerMin: null,
        nowMs: 500,
        admitting: false,
        hostIdleShare: null,
      },
      targets,
    );
    expect(r.step).to.equal('decrease');
    expect(r.state.ratePerMin).to.equal(2_000);
  });

  it('stays at the ceiling when pinned (fixed), whatever the signals', () => {
    for (const signals of [
      calm(1_000),
      {
        backlog: 1e6,
        p99Ms: 60_000,
        intake: null,
        deliveredPerMin: null,
        nowMs: 2_000,
        admitting: true,
        hostIdleShare: null,
      },
    ]) {
      const r = nextPace(at(100, 0, 0), 'fixed', CEILING, signals, targets);
      expect(r.step).to.equal('pinned');
      expect(r.state.ratePerMin).to.equal(CEILING);
    }
  });
});
