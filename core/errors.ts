/**
 * One error hierarchy for every process. The HTTP status lives on the class; the error handler turns
 * any AppError into `{ error: { code, message, details? } }`. Anything else is a 500 with a reference id.
 */
export abstract class AppError extends Error {
  abstract readonly status: number;
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  readonly status = 400;
}
export class ValidationError extends AppError {
  readonly status = 400;
  constructor(message: string, details?: unknown) {
    super('VALIDATION_FAILED', message, details);
  }
}
export class UnauthorizedError extends AppError {
  readonly status = 401;
}
export class PaymentRequiredError extends AppError {
  readonly status = 402;
}
export class ForbiddenError extends AppError {
  readonly status = 403;
}
export class NotFoundError extends AppError {
  readonly status = 404;
}
export class ConflictError extends AppError {
  readonly status = 409;
}
export class PreconditionRequiredError extends AppError {
  readonly status = 428;
}
export class PayloadTooLargeError extends AppError {
  readonly status = 413;
}
export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
}
export class UnprocessableError extends AppError {
  readonly status = 422;
}
export class TooManyRequestsError extends AppError {
  readonly status = 429;
  constructor(
    code: string,
    message: string,
    readonly retryAfterS: number,
  ) {
    super(code, message, { retryAfterS });
  }
}
