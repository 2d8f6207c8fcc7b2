import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { onSessionChange, refreshSession, signIn, signOut } from '../api/http';
import { closeLiveSocket } from '../live/socket';
import { loadSession, type StoredSession } from './session-storage';

/** Refresh this long before the access token expires, so a request never has to wait for one. */
const REFRESH_AHEAD_MS = 60_000;

/** The signed-in person, shared by every page; keeps the access token fresh while the app is open. */
export const useSessionStore = defineStore('session', () => {
  const session = ref<StoredSession | null>(loadSession());
  const user = computed(() => session.value?.user ?? null);
  const signedIn = computed(() => session.value !== null);
  let timer: ReturnType<typeof setTimeout> | undefined;

  function schedule(): void {
    clearTimeout(timer);
    const expiresAt = session.value?.accessExpiresAt;
    if (!expiresAt) return;
    const wait = Math.max(5_000, expiresAt - Date.now() - REFRESH_AHEAD_MS);
    timer = setTimeout(() => {
      // A failed refresh is retried by the next request that finds the token expired.
      refreshSession().catch(() => undefined);
    }, wait);
  }

  onSessionChange((next) => {
    // Whoever signs in next in this tab must not hear the pushes meant for the one whose session ended.
    if (next === null || next.user.id !== session.value?.user.id) closeLiveSocket();
    session.value = next;
    schedule();
  });
  schedule();

  async function login(username: string, password: string): Promise<void> {
    await signIn(username, password);
  }

  async function logout(): Promise<void> {
    await signOut();
  }

  return { session, user, signedIn, login, logout };
});
