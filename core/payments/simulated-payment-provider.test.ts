import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Redis } from '../redis.js';
import { testConfig } from '../../test/support/test-config.js';
import { createRedis, waitForRedis } from '../redis.js';
import { PaymentProviderError } from './payment-provider.js';
import { SimulatedPaymentProvider } from './simulated-payment-provider.js';

describe('the simulated payment provider', () => {
  const cfg = testConfig();
  let a: Redis;
  let b: Redis;
  const key = () => `test-${randomBytes(6).toString('hex')}`;

  before(async () => {
    a = createRedis(cfg);
    b = createRedis(cfg);
    await Promise.all([waitForRedis(a), waitForRedis(b)]);
  });
  after(() => {
    a.disconnect();
    b.disconnect();
  });

  const provider = (redis: Redis, o: { failRate?: number; random?: () => number } = {}) =>
    new SimulatedPaymentProvider(redis, cfg.redis.prefix, { failRate: 0, delayMs: 0, ...o });

  it('charges once per idempotency key, and another process sees the same charge', async () => {
    const k = key();
    const first = await provider(a).charge({ amountCents: 1_234, currency: 'USD', idempotencyKey: k });
    const again = await provider(b).charge({ amountCents: 1_234, currency: 'USD', idempotencyKey: k });
    expect(first.status).to.equal('succeeded');
    expect(again).to.deep.equal(first);
    expect(await provider(b).lookup(k)).to.include({
      status: 'succeeded',
      amountCents: 1_234,
      refundedCents: 0,
    });
    expect(await provider(a).lookup(key())).to.equal(null);
  });

  it('declines card_declined and a fail-rate share, taking no money', async () => {
    const k1 = key();
    const k2 = key();
    expect(
      await provider(a).charge({
        amountCents: 500,
        currency: 'USD',
        idempotencyKey: k1,
        paymentMethod: 'card_declined',
      }),
    ).to.deep.equal({ status: 'declined', reason: 'card_declined' });
    const flaky = provider(a, { failRate: 0.5, random: () => 0.3 });
    expect(await flaky.charge({ amountCents: 500, currency: 'USD', idempotencyKey: k2 })).to.deep.equal({
      status: 'declined',
      reason: 'simulated_decline',
    });
    for (const k of [k1, k2]) expect((await provider(b).lookup(k))?.status).to.equal('declined');
  });

  it('refunds a charge once, however often asked, and refuses a refund of an unknown charge', async () => {
    const k = key();
    const before = await provider(a).ledger();
    const charged = await provider(a).charge({ amountCents: 900, currency: 'EUR', idempotencyKey: k });
    if (charged.status !== 'succeeded') expect.fail('expected a charge');
    const refund = { providerRef: charged.providerRef, amountCents: 900, idempotencyKey: `refund-${k}` };
    const r1 = await provider(a).refund(refund);
    const r2 = await provider(b).refund(refund);
    expect(r2).to.deep.equal(r1);
    expect(await provider(b).lookup(k)).to.include({ status: 'refunded', refundedCents: 900 });
    const after = await provider(a).ledger();
    expect(after.capturedCents - before.capturedCents).to.equal(900);
    expect(after.refundedCents - before.refundedCents).to.equal(900);
    expect(after.refunds - before.refunds).to.equal(1);
    try {
      await provider(a).refund({ providerRef: 'sim_ch_nope', amountCents: 1, idempotencyKey: key() });
      expect.fail('expected a refusal');
    } catch (err) {
      expect(err).to.be.instanceOf(PaymentProviderError);
      expect((err as PaymentProviderError).retryable).to.equal(false);
    }
  });

  it('takes the money but loses the answer for card_timeout (lookup tells), and is unreachable for card_unreachable', async () => {
    const lost = key();
    const never = key();
    for (const [k, method] of [
      [lost, 'card_timeout'],
      [never, 'card_unreachable'],
    ] as const) {
      try {
        await provider(a).charge({
          amountCents: 700,
          currency: 'USD',
          idempotencyKey: k,
          paymentMethod: method,
        });
        expect.fail('expected a provider error');
      } catch (err) {
        expect(err).to.be.instanceOf(PaymentProviderError);
      }
    }
    expect((await provider(b).lookup(lost))?.status).to.equal('succeeded');
    expect(await provider(b).lookup(never)).to.equal(null);
  });
});
