import type { Knex } from 'knex';

/** Every waiting room's id, so the queue board shows each room's commit queue. */
export const listRoomIds = (db: Knex): Promise<number[]> =>
  db('waiting_rooms').orderBy('id').pluck<number[]>('id');
