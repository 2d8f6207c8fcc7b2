import { expect } from 'chai';
import { testLogger } from '../../test/support/silent-logger.js';
import { PeriodicTask } from './periodic-task.js';

describe('PeriodicTask', () => {
  it('runs again and again, one run at a time, survives a failing run, and stop waits for the run in flight', async () => {
    let runs = 0;
    let inFlight = 0;
    let overlap = false;
    const task = new PeriodicTask(
      'test task',
      async () => {
        runs++;
        inFlight++;
        if (inFlight > 1) overlap = true;
        await new Promise((r) => setTimeout(r, 15));
        inFlight--;
        if (runs === 2) throw new Error('one bad run');
      },
      5,
      testLogger,
    );
    task.start();
    // Waits for a number of runs, not for a fixed time: a busy machine may fit only a few runs in 150 ms.
    while (runs < 4) await new Promise((r) => setTimeout(r, 5));
    await task.stop();
    const atStop = runs;
    await new Promise((r) => setTimeout(r, 60));
    expect(atStop).to.be.greaterThan(3);
    expect(runs, 'no run after stop').to.equal(atStop);
    expect(overlap).to.equal(false);
    expect(inFlight, 'stop waited for the run in flight').to.equal(0);
  });
});
