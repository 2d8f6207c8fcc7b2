import { expect } from 'chai';
import { MicroBatcher, type MicroBatcherOptions } from './micro-batcher.js';

/** A promise the test settles by hand, to hold a batch "in its transaction" as long as it likes. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets the batcher's timers and promise callbacks run. */
const settle = () => new Promise((r) => setTimeout(r, 5));

/** A batcher that answers each item with itself and records the batches it was given. */
function recordingBatcher(opts: MicroBatcherOptions) {
  const batches: number[][] = [];
  const b = new MicroBatcher<number, number>((items) => {
    batches.push(items);
    return Promise.resolve(items);
  }, opts);
  return { b, batches };
}

/**
 * The batcher under the api's submissions and the worker's commits. Asserted by batch contents and
 * counts, never by elapsed time.
 */
describe('MicroBatcher', () => {
  it('sends a lone item on its own, and answers it with its output', async () => {
    const batches: number[][] = [];
    const b = new MicroBatcher<number, string>(
      (items) => {
        batches.push(items);
        return Promise.resolve(items.map((i) => `out-${i}`));
      },
      { maxBatch: 10, maxWaitMs: 1 },
    );
    expect(await b.submit(7)).to.equal('out-7');
    expect(batches).to.deep.equal([[7]]);
    expect(b.stats).to.include({ batches: 1, items: 1 });
  });

  it('gathers items submitted together into one batch, each answered by its position', async () => {
    const batches: number[][] = [];
    const b = new MicroBatcher<number, number>(
      (items) => {
        batches.push(items);
        return Promise.resolve(items.map((i) => i * 10));
      },
      { maxBatch: 10, maxWaitMs: 1 },
    );
    expect(await Promise.all([1, 2, 3].map((i) => b.submit(i)))).to.deep.equal([10, 20, 30]);
    expect(batches).to.deep.equal([[1, 2, 3]]);
  });

  it('sends a full batch at once, without waiting for the timer', async () => {
    // A wait far beyond the test's timeout: only a full batch can go out.
    const { b, batches } = recordingBatcher({ maxBatch: 3, maxWaitMs: 3_600_000 });
    expect(await Promise.all([1, 2, 3].map((i) => b.submit(i)))).to.deep.equal([1, 2, 3]);
    expect(batches).to.deep.equal([[1, 2, 3]]);
  });

  it('never sends more than maxBatch items in one batch', async () => {
    const { b, batches } = recordingBatcher({ maxBatch: 2, maxWaitMs: 1, concurrency: 4 });
    await Promise.all([1, 2, 3, 4, 5].map((i) => b.submit(i)));
    expect(batches.map((x) => x.length).every((n) => n <= 2)).to.equal(true);
    expect(batches.flat().sort()).to.deep.equal([1, 2, 3, 4, 5]);
  });

  it('forms the next batch from whatever arrives while one is being processed', async () => {
    const batches: number[][] = [];
    const gates: ReturnType<typeof deferred<void>>[] = [];
    const b = new MicroBatcher<number, number>(
      async (items) => {
        batches.push(items);
        const gate = deferred<void>();
        gates.push(gate);
        await gate.promise;
        return items;
      },
      { maxBatch: 100, maxWaitMs: 1 },
    );
    const first = b.submit(1);
    await settle();
    expect(batches).to.deep.equal([[1]]);
    const next = [2, 3, 4].map((i) => b.submit(i));
    await settle();
    // One batch at a time by default: the others wait for the first to finish.
    expect(batches).to.deep.equal([[1]]);
    gates[0]?.resolve();
    expect(await first).to.equal(1);
    await settle();
    expect(batches).to.deep.equal([[1], [2, 3, 4]]);
    gates[1]?.resolve();
    expect(await Promise.all(next)).to.deep.equal([2, 3, 4]);
    expect(b.stats).to.include({ batches: 2, items: 4 });
  });

  it('runs up to `concurrency` batches at once, no more', async () => {
    let running = 0;
    let most = 0;
    const gates: ReturnType<typeof deferred<void>>[] = [];
    const b = new MicroBatcher<number, number>(
      async (items) => {
        running++;
        most = Math.max(most, running);
        const gate = deferred<void>();
        gates.push(gate);
        await gate.promise;
        running--;
        return items;
      },
      { maxBatch: 1, maxWaitMs: 1, concurrency: 2 },
    );
    const all = Promise.all([1, 2, 3, 4].map((i) => b.submit(i)));
    await settle();
    expect(gates).to.have.length(2);
    while (gates.length < 4) {
      for (const g of gates) g.resolve();
      await settle();
    }
    for (const g of gates) g.resolve();
    expect(await all).to.deep.equal([1, 2, 3, 4]);
    expect(most).to.equal(2);
  });

  it('rejects every item of a batch that failed, and carries on with the next', async () => {
    const boom = new Error('batch failed');
    let calls = 0;
    const b = new MicroBatcher<number, number>(
      (items) => (++calls === 1 ? Promise.reject(boom) : Promise.resolve(items)),
      { maxBatch: 10, maxWaitMs: 1 },
    );
    const failed = await Promise.allSettled([1, 2].map((i) => b.submit(i)));
    expect(failed.map((r): unknown => (r.status === 'rejected' ? r.reason : r.value))).to.deep.equal([
      boom,
      boom,
    ]);
    expect(await b.submit(3)).to.equal(3);
  });

  it('with spacing, sends the first item of a quiet spell at once and gathers what follows it', async () => {
    // Spacing far beyond the test's timeout: after the first batch only a full one can start.
    const { b, batches } = recordingBatcher({ maxBatch: 3, maxWaitMs: 0, spacingMs: 3_600_000 });
    expect(await b.submit(1)).to.equal(1);
    const spread: Promise<number>[] = [];
    for (const i of [2, 3]) {
      spread.push(b.submit(i));
      await settle();
    }
    // Arrived one by one after the first batch had finished, yet neither has gone out alone.
    expect(batches).to.deep.equal([[1]]);
    spread.push(b.submit(4));
    expect(await Promise.all(spread)).to.deep.equal([2, 3, 4]);
    expect(batches).to.deep.equal([[1], [2, 3, 4]]);
  });

  it('with spacing, still sends a lone item once the spacing has passed', async () => {
    const { b, batches } = recordingBatcher({ maxBatch: 10, maxWaitMs: 0, spacingMs: 10 });
    expect(await b.submit(1)).to.equal(1);
    expect(await b.submit(2)).to.equal(2);
    expect(batches).to.deep.equal([[1], [2]]);
  });
});
