import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { NotificationView } from '../../../core/views/notification-views';
import { liveSocket, type LiveSocket } from '../live/socket';
import { listNotifications, markRead, unreadCount } from './notifications-api';

/** How many the bell's panel shows; the page lists them all. */
export const LATEST = 5;

/**
 * The signed-in person's unread count and latest notifications, shared by the bell and the notifications
 * page. New ones come by push (`notification:new`); the count is read again at every (re)connect, so
 * what happened while the connection was down is counted too. The bell starts and stops it.
 */
export const useNotificationStore = defineStore('notifications', () => {
  const unread = ref(0);
  const latest = ref<NotificationView[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  /** The last one pushed: the bell announces it, the page puts it on top. */
  const arrived = shallowRef<NotificationView | null>(null);
  let socket: LiveSocket | undefined;
  /** Only the newest count request may set the count (answers can arrive out of order). */
  let countSeq = 0;

  function onNew(n: NotificationView): void {
    if (latest.value.some((x) => x.id === n.id)) return;
    if (loaded.value) latest.value = [n, ...latest.value].slice(0, LATEST);
    if (!n.readAt) unread.value++;
    arrived.value = n;
  }

  function setUnread(n: number): void {
    countSeq++;
    unread.value = n;
  }

  async function refreshUnread(): Promise<void> {
    const seq = ++countSeq;
    try {
      const answer = await unreadCount();
      if (seq === countSeq) unread.value = answer.unread;
    } catch {
      // The badge keeps its last count; the next connect or page load asks again.
    }
  }

  function onConnect(): void {
    void refreshUnread();
    if (loaded.value) void loadLatest().catch(() => undefined);
  }

  function start(): void {
    stop();
    socket = liveSocket();
    socket.on('notification:new', onNew);
    socket.on('connect', onConnect);
    void refreshUnread();
  }

  function stop(): void {
    socket?.off('notification:new', onNew);
    socket?.off('connect', onConnect);
    socket = undefined;
    countSeq++;
    unread.value = 0;
    latest.value = [];
    loaded.value = false;
    arrived.value = null;
  }

  async function loadLatest(): Promise<void> {
    loading.value = true;
    const seq = ++countSeq;
    try {
      const page = await listNotifications(LATEST);
      latest.value = page.notifications;
      loaded.value = true;
      if (seq === countSeq) unread.value = page.unread;
    } finally {
      loading.value = false;
    }
  }

  function markLocally(ids: number[] | 'all', at: string): void {
    latest.value = latest.value.map((n) =>
      !n.readAt && (ids === 'all' || ids.includes(n.id)) ? { ...n, readAt: at } : n,
    );
  }

  async function markOneRead(id: number): Promise<void> {
    const answer = await markRead({ ids: [id] });
    setUnread(answer.unread);
    markLocally([id], new Date().toISOString());
  }

  async function markAllRead(): Promise<void> {
    const answer = await markRead({ all: true });
    setUnread(answer.unread);
    markLocally('all', new Date().toISOString());
  }

  return {
    unread,
    latest,
    loaded,
    loading,
    arrived,
    start,
    stop,
    loadLatest,
    setUnread,
    markOneRead,
    markAllRead,
  };
});
