/**
 * Every outcome and reservation change is also kept per user, so someone who was offline learns what
 * happened. Types only, shared with the web app. `code` plus `params` let the app word it in the person's
 * language; `message` is the English text for any other client.
 */
export interface NotificationView {
  id: number;
  kind: 'request' | 'reservation';
  /** The outcome or reservation code, e.g. 'ENROLLED', 'SECTION_FULL', 'RESERVATION_EXPIRED'. */
  code: string;
  message: string;
  params: Record<string, string | number | null>;
  /** Where the app takes the person: the request's room, the reservation … */
  link: { requestId?: number; reservationId?: number; roomId?: number; eventId?: number; termId?: number };
  createdAt: string;
  readAt: string | null;
}

/** GET /api/me/notifications?limit=&before= */
export interface NotificationPage {
  notifications: NotificationView[];
  unread: number;
  next: string | null;
}
