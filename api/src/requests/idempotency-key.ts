import { BadRequestError } from '../../../core/errors.js';

const KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

/** The client's `Idempotency-Key` header: the same key again returns the same request, never a second one. */
export function idempotencyKeyOf(key: string | undefined): string {
  if (!key)
    throw new BadRequestError(
      'IDEMPOTENCY_KEY_REQUIRED',
      'Send an Idempotency-Key header (8–128 characters)',
    );
  if (!KEY.test(key)) {
    throw new BadRequestError(
      'IDEMPOTENCY_KEY_INVALID',
      'Idempotency-Key must be 8–128 letters, digits or _.:-',
    );
  }
  return key;
}
