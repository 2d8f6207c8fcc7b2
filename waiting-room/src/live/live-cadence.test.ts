import { expect } from 'chai';
import {
  CADENCE_STEP_MS,
  HostLiveCadence,
  nextStretch,
  tickGoesOut,
  type HostCpuTimes,
} from './live-cadence.js';

describe('live cadence (ticks yield to a host out of CPU)', () => {
  it('grows a step under 10 % idle, shrinks one over 30 %, holds in between, within [1, max]', () => {
    expect(nextStretch(1, 0.05, 5)).to.equal(2);
    expect(nextStretch(5, 0.0, 5), 'not past the maximum').to.equal(5);
    expect(nextStretch(3, 0.1, 5), 'exactly 10 % holds').to.equal(3);
    expect(nextStretch(3, 0.2, 5)).to.equal(3);
    expect(nextStretch(3, 0.3, 5), 'exactly 30 % holds').to.equal(3);
    expect(nextStretch(3, 0.31, 5)).to.equal(2);
    expect(nextStretch(1, 0.9, 5), 'never below every turn').to.equal(1);
  });

  it('sends every round of the groups’ turns at stretch 1, and one round in `stretch` otherwise', () => {
    const sent = (groups: number, stretch: number) =>
      Array.from({ length: 12 }, (_, seq) => seq).filter((seq) => tickGoesOut(seq, groups, stretch));
    expect(sent(2, 1)).to.have.length(12);
    // Two groups, stretch 3: rounds 0 and 3 (ticks 0, 1 and 6, 7): each group once per 6 ticks.
    expect(sent(2, 3)).to.deep.equal([0, 1, 6, 7]);
    expect(sent(1, 2)).to.deep.equal([0, 2, 4, 6, 8, 10]);
  });

  it('follows the host’s CPU, one step per second at most', () => {
    // A host whose cores were busy 95 % of each second (5 % idle), then 50 % idle.
    let busy = 0.95;
    let now = 0;
    const times: HostCpuTimes = { idle: 0, total: 0 };
    const sample = () => ({ ...times });
    const pass = (ms: number) => {
      now += ms;
      times.total += ms * 2; // two cores
      times.idle += ms * 2 * (1 - busy);
    };
    const cadence = new HostLiveCadence({ liveUpdateMs: 1_000, liveUpdateMaxMs: 4_000 }, sample);
    expect(cadence.stretch(now), 'no step before a second sample').to.equal(1);
    const steps: number[] = [];
    for (let i = 0; i < 6; i++) {
      pass(500);
      steps.push(cadence.stretch(now));
    }
    // Sampled at most once per CADENCE_STEP_MS: a step every second, up to the maximum.
    expect(CADENCE_STEP_MS).to.equal(1_000);
    expect(steps).to.deep.equal([1, 2, 2, 3, 3, 4]);
    busy = 0.5;
    const back: number[] = [];
    for (let i = 0; i < 8; i++) {
      pass(500);
      back.push(cadence.stretch(now));
    }
    expect(back).to.deep.equal([4, 3, 3, 2, 2, 1, 1, 1]);
    expect(cadence.intervalMs()).to.equal(1_000);
  });

  it('never stretches when the maximum is one step, or below it', () => {
    for (const liveUpdateMaxMs of [1_000, 1_999, 1]) {
      const cadence = new HostLiveCadence({ liveUpdateMs: 1_000, liveUpdateMaxMs }, () => ({
        idle: 0,
        total: 1e9 * Math.random(),
      }));
      expect(cadence.maxStretch).to.equal(1);
      for (let t = 0; t < 5_000; t += 500) expect(cadence.stretch(t)).to.equal(1);
    }
  });
});
