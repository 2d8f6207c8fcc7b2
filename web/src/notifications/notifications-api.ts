import type { NotificationPage } from '../../../core/views/notification-views';
import { api } from '../api/http';

/** The signed-in person's notifications (api/src/notifications): newest first, paged by `next`. */
export const listNotifications = (limit: number) =>
  api<NotificationPage>(`/api/me/notifications?limit=${limit}`);

/** `next` is the query string the previous page named, e.g. `?before=41&limit=20`. */
export const nextNotifications = (next: string) => api<NotificationPage>(`/api/me/notifications${next}`);

export const unreadCount = () => api<{ unread: number }>('/api/me/notifications/unread');

export const markRead = (which: { ids: number[] } | { all: true }) =>
  api<{ unread: number }>('/api/me/notifications/read', { method: 'POST', body: which });
