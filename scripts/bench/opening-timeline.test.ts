import { expect } from 'chai';
import { openingTimeline } from './opening-timeline.js';

describe('the rush opening, second by second', () => {
  const opened = 1_000_000;
  const at = (...seconds: number[]) => seconds.map((s) => opened + s * 1_000);

  it('counts each series per second and what is held at and behind the api at the end of each', () => {
    const t = openingTimeline(
      opened,
      {
        submitted: [
          { at: opened + 100, socketMs: 5, acceptedMs: 400 },
          { at: opened + 200, socketMs: 50, acceptedMs: 900 },
          { at: opened + 900, socketMs: 1 },
          { at: opened + 1_500, socketMs: 2, acceptedMs: 500 },
          { at: opened + 1_600, socketMs: 3, acceptedMs: 400 },
          { at: opened + 2_200 },
        ],
        accepted: at(0.5, 1.1, 1.2, 2.0, 2.9),
        decided: at(1.9, 2.5, 2.6),
        // The opening is at 1,000 s + 0 ms: epoch second 1,001 is the opening's second 1 (and reaches 2).
        clientStalls: [
          [1_000, 30],
          [1_001, 700],
          [1_001, 20],
          [1_005, 900],
        ],
      },
      3,
    );
    expect(t).to.deep.equal({
      seconds: 3,
      submitted: [3, 2, 1],
      accepted: [1, 2, 2],
      decided: [0, 1, 2],
      at_api: [2, 2, 1],
      behind_api: [1, 2, 2],
      p99_socket_ms: [50, 3, null],
      // The scenarios' one percentile rule (nearest rank, rounded down): of two, the upper.
      p50_accepted_ms: [900, 500, null],
      p99_accepted_ms: [900, 500, null],
      client_stall_ms: [30, 700, 700],
    });
  });

  it('puts a moment stamped just before the opening in the first second and leaves out later ones', () => {
    const submitted = at(-0.05, 4).map((t) => ({ at: t }));
    const t = openingTimeline(opened, { submitted, accepted: [], decided: [] }, 2);
    expect(t.submitted).to.deep.equal([1, 0]);
    expect(t.at_api).to.deep.equal([1, 1]);
  });
});
