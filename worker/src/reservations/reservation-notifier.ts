import type { Redis } from '../../../core/redis.js';
import { LivePublisher, type ReservationChange } from '../../../core/live-publisher.js';
import type { Logger } from '../../../core/logger.js';

/**
 * Tells a person their reservation changed (`reservation:update` and `notification:new` to their
 * socket.io room) and the event's watchers what became of its seats (`seats:changed`), through Redis on
 * the same channel as the OutcomeReporter's request updates, so whichever waiting-room process holds a
 * socket delivers it. Call it after the change has committed.
 */
export class ReservationNotifier {
  private readonly live: LivePublisher;

  constructor(redis: Redis, prefix: string, logger: Logger) {
    this.live = new LivePublisher(redis, prefix, logger);
  }

  notify(change: ReservationChange): Promise<void> {
    return this.live.publish({ reservations: [change] });
  }
}
