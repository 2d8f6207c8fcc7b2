/** What a waiting room fronts: a course-registration window or a ticket sale (waiting_rooms.kind). */
export const ROOM_KINDS = ['registration', 'sale'] as const;
export type RoomKind = (typeof ROOM_KINDS)[number];
