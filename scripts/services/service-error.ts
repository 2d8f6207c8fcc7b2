/** A failure the user can act on (install, start, grant); the CLI prints its message without a stack. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
}
