import type { Redis } from '../../../../core/redis.js';
import type { Knex } from 'knex';
import type { Logger } from '../../../../core/logger.js';
import type { RedisKeys } from '../../../../core/redis-keys.js';
import { findStaffUser, type StaffUserView } from '../users/staff-user-store.js';
import {
  personEnrollments,
  personNotifications,
  personRequests,
  personReservations,
  recentRooms,
  type LookupEnrollment,
  type LookupNotification,
  type LookupRequest,
  type LookupReservation,
} from './lookup-read-model.js';
import { roomPlaces, type RoomPlace } from './room-places.js';

export interface PersonStory {
  profile: StaffUserView;
  requests: LookupRequest[];
  enrollments: LookupEnrollment[];
  reservations: LookupReservation[];
  notifications: LookupNotification[];
  /** Null when Redis could not be read: the rest of the story still answers the caller. */
  rooms: RoomPlace[] | null;
}

export interface PersonStoryDeps {
  db: Knex;
  redis: Redis;
  keys: RedisKeys;
  logger: Logger;
}

/** Everything support needs to answer "what happened to me", in a fixed number of queries. */
export async function personStory(deps: PersonStoryDeps, userId: number): Promise<PersonStory | undefined> {
  const { db } = deps;
  const profile = await findStaffUser(db, userId);
  if (!profile) return undefined;
  const [requests, enrollments, reservations, notifications, rooms] = await Promise.all([
    personRequests(db, userId),
    personEnrollments(db, userId),
    personReservations(db, userId),
    personNotifications(db, userId),
    recentRooms(db),
  ]);
  const requestRooms = new Set(requests.flatMap((r) => (r.room ? [r.room.id] : [])));
  let places: RoomPlace[] | null;
  try {
    places = await roomPlaces(deps.redis, deps.keys, rooms, userId, requestRooms);
  } catch (err) {
    deps.logger.warn({ err, userId }, 'support lookup could not read waiting-room places from Redis');
    places = null;
  }
  return { profile, requests, enrollments, reservations, notifications, rooms: places };
}
