/**
 * What Rushline needs from a payment provider. Every call is idempotent by a key the caller chooses, so
 * a retried call (after a timeout, a crash, a redelivered job) never charges or refunds twice, and
 * `lookup` answers "what happened to the charge with this key?" when a response was lost.
 *
 * A decline is an answer (`status: 'declined'`); a `PaymentProviderError` means the provider could not
 * be reached or did not answer, so the outcome is unknown and must be found out later with `lookup`.
 */
export interface ChargeRequest {
  amountCents: number;
  currency: string;
  idempotencyKey: string;
  /** What the customer pays with (a card token in real life). The simulated provider reads test values from it. */
  paymentMethod?: string;
}

export type ChargeResult =
  { status: 'succeeded'; providerRef: string } | { status: 'declined'; reason: string };

export interface RefundRequest {
  /** The charge to refund, as the provider named it. */
  providerRef: string;
  amountCents: number;
  idempotencyKey: string;
}

export interface RefundResult {
  status: 'refunded';
  refundRef: string;
}

/** The provider's own record of a charge, found by the charge's idempotency key. */
export interface ChargeRecord {
  status: 'succeeded' | 'declined' | 'refunded';
  providerRef: string | null;
  amountCents: number;
  currency: string;
  refundedCents: number;
  reason: string | null;
}

export interface PaymentProvider {
  /** Stored in `payments.provider`. */
  readonly name: string;
  charge(req: ChargeRequest): Promise<ChargeResult>;
  refund(req: RefundRequest): Promise<RefundResult>;
  /** Null when the provider never saw a charge with this key. */
  lookup(idempotencyKey: string): Promise<ChargeRecord | null>;
}

/** The provider could not be reached or did not answer; whether money moved is unknown until `lookup`. */
export class PaymentProviderError extends Error {
  constructor(
    message: string,
    readonly retryable = true,
  ) {
    super(message);
    this.name = 'PaymentProviderError';
  }
}
