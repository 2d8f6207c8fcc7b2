import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from '../redis.js';
import { redisKeys } from '../redis-keys.js';
import {
  PaymentProviderError,
  type ChargeRecord,
  type ChargeRequest,
  type ChargeResult,
  type PaymentProvider,
  type RefundRequest,
  type RefundResult,
} from './payment-provider.js';

/**
 * Payment methods the simulated provider treats specially, so tests can ask for each outcome:
 * - `card_declined`: the bank declines (no money moves);
 * - `card_timeout`: the bank takes the money but the answer is lost (the caller gets a PaymentProviderError;
 *   `lookup` shows the charge), i.e. a crash between "charged" and "recorded";
 * - `card_unreachable`: the provider is never reached (nothing recorded, PaymentProviderError).
 * Anything else succeeds, except a `failRate` share declined at random.
 */
export const SIMULATED_METHODS = {
  declined: 'card_declined',
  timeout: 'card_timeout',
  unreachable: 'card_unreachable',
} as const;

// The "bank" decides once per idempotency key: a second charge with the key returns the first answer.
const CHARGE = `
local existing = redis.call('HGETALL', KEYS[1])
if #existing > 0 then return existing end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'amountCents', ARGV[2], 'currency', ARGV[3], 'ref', ARGV[4],
  'reason', ARGV[5], 'refundedCents', '0')
redis.call('EXPIRE', KEYS[1], ARGV[6])
if ARGV[1] == 'succeeded' then
  redis.call('SET', KEYS[3], KEYS[1], 'EX', ARGV[6])
  redis.call('HINCRBY', KEYS[2], 'charges', 1)
  redis.call('HINCRBY', KEYS[2], 'capturedCents', ARGV[2])
end
return redis.call('HGETALL', KEYS[1])`;

// Full refunds only; refunding a refunded charge returns the first refund.
const REFUND = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status or redis.call('HGET', KEYS[1], 'ref') ~= ARGV[1] then return redis.error_reply('NO_SUCH_CHARGE') end
if status == 'refunded' then return redis.call('HGET', KEYS[1], 'refundRef') end
if status ~= 'succeeded' then return redis.error_reply('NOT_REFUNDABLE ' .. status) end
local amount = redis.call('HGET', KEYS[1], 'amountCents')
if amount ~= ARGV[2] then return redis.error_reply('PARTIAL_REFUND_UNSUPPORTED') end
redis.call('HSET', KEYS[1], 'status', 'refunded', 'refundedCents', amount, 'refundRef', ARGV[3], 'refundKey', ARGV[4])
redis.call('HINCRBY', KEYS[2], 'refunds', 1)
redis.call('HINCRBY', KEYS[2], 'refundedCents', amount)
return ARGV[3]`;

const RECORD_TTL_S = 30 * 86_400;

export interface SimulatedLedger {
  charges: number;
  capturedCents: number;
  refunds: number;
  refundedCents: number;
}

/**
 * A payment provider for development, demos and tests. Its bank-side state lives in Redis under the
 * deployment's prefix (`<prefix>:paysim:*`), not in process memory, so every api and worker process
 * sees the same charges: a charge made by one process can be looked up or refunded by another.
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  readonly name = 'simulated';
  private readonly base: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly opts: { failRate: number; delayMs: number; random?: () => number },
  ) {
    this.base = redisKeys(prefix).paymentSim;
  }

  async charge(req: ChargeRequest): Promise<ChargeResult> {
    if (!Number.isInteger(req.amountCents) || req.amountCents <= 0) {
      throw new PaymentProviderError(`invalid amount ${req.amountCents}`, false);
    }
    await this.latency();
    if (req.paymentMethod === SIMULATED_METHODS.unreachable) {
      throw new PaymentProviderError('simulated provider unreachable');
    }
    const declined =
      req.paymentMethod === SIMULATED_METHODS.declined
        ? SIMULATED_METHODS.declined
        : (this.opts.random ?? Math.random)() < this.opts.failRate
          ? 'simulated_decline'
          : null;
    const ref = `sim_ch_${randomUUID()}`;
    const record = toRecord(
      await this.call(() =>
        this.redis.eval(
          CHARGE,
          3,
          this.chargeKey(req.idempotencyKey),
          this.ledgerKey(),
          this.refKey(ref),
          declined ? 'declined' : 'succeeded',
          String(req.amountCents),
          req.currency,
          declined ? '' : ref,
          declined ?? '',
          String(RECORD_TTL_S),
        ),
      ),
    );
    if (record.amountCents !== req.amountCents || record.currency !== req.currency) {
      throw new PaymentProviderError('idempotency key reused with another amount', false);
    }
    if (req.paymentMethod === SIMULATED_METHODS.timeout) {
      throw new PaymentProviderError('simulated timeout: the charge went through but the answer was lost');
    }
    await this.latency();
    if (record.status === 'declined') return { status: 'declined', reason: record.reason ?? 'declined' };
    return { status: 'succeeded', providerRef: record.providerRef as string };
  }

  async refund(req: RefundRequest): Promise<RefundResult> {
    await this.latency();
    const chargeKey = await this.call(() => this.redis.get(this.refKey(req.providerRef)));
    if (!chargeKey) throw new PaymentProviderError(`no charge ${req.providerRef}`, false);
    const refundRef = await this.call(() =>
      this.redis.eval(
        REFUND,
        2,
        chargeKey,
        this.ledgerKey(),
        req.providerRef,
        String(req.amountCents),
        `sim_re_${randomUUID()}`,
        req.idempotencyKey,
      ),
    );
    await this.latency();
    return { status: 'refunded', refundRef: String(refundRef) };
  }

  async lookup(idempotencyKey: string): Promise<ChargeRecord | null> {
    await this.latency();
    const fields = await this.call(() => this.redis.hgetall(this.chargeKey(idempotencyKey)));
    if (Object.keys(fields).length === 0) return null;
    return toRecord(Object.entries(fields).flat());
  }

  /** What the "bank" holds overall: charges taken and refunds given. For tests and the demo. */
  async ledger(): Promise<SimulatedLedger> {
    const h = await this.redis.hgetall(this.ledgerKey());
    const n = (k: string) => Number(h[k] ?? 0);
    return {
      charges: n('charges'),
      capturedCents: n('capturedCents'),
      refunds: n('refunds'),
      refundedCents: n('refundedCents'),
    };
  }

  private chargeKey(idempotencyKey: string): string {
    return `${this.base}:charge:${idempotencyKey}`;
  }

  private refKey(ref: string): string {
    return `${this.base}:ref:${ref}`;
  }

  private ledgerKey(): string {
    return `${this.base}:ledger`;
  }

  private async latency(): Promise<void> {
    if (this.opts.delayMs > 0) await sleep(this.opts.delayMs / 2);
  }

  /** Redis errors are the "network" of this provider: the caller can't tell whether the call happened. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const known = /NO_SUCH_CHARGE|NOT_REFUNDABLE|PARTIAL_REFUND_UNSUPPORTED/.test(message);
      throw new PaymentProviderError(`simulated provider: ${message}`, !known);
    }
  }
}

function toRecord(flat: unknown): ChargeRecord {
  const list = Array.isArray(flat) ? flat.map(String) : [];
  const h = new Map<string, string>();
  for (let i = 0; i + 1 < list.length; i += 2) h.set(list[i] as string, list[i + 1] as string);
  const status = h.get('status');
  if (status !== 'succeeded' && status !== 'declined' && status !== 'refunded') {
    throw new PaymentProviderError(`simulated provider: unreadable charge record (${status ?? 'none'})`);
  }
  return {
    status,
    providerRef: h.get('ref') || null,
    amountCents: Number(h.get('amountCents') ?? 0),
    currency: h.get('currency') ?? '',
    refundedCents: Number(h.get('refundedCents') ?? 0),
    reason: h.get('reason') || null,
  };
}
