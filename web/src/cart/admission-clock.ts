import { computed, onBeforeUnmount, ref, watch, type Ref } from 'vue';
import { admissionFor, type Admission } from '../admission/admission';
import { forgetAdmission } from '../auth/session-storage';

/**
 * This tab's admission for a room, and how long it has left, ticking once a second on this device's
 * clock (no server call). It turns null when it runs out or is withdrawn.
 */
export function useAdmissionClock(roomId: Ref<number | null>) {
  const now = ref(Date.now());
  const revoked = ref(false);
  const held = ref<Admission | null>(null);
  const expired = ref(false);

  function read(): void {
    const id = roomId.value;
    const next = id === null || revoked.value ? null : admissionFor(id);
    if (held.value && !next) expired.value = !revoked.value;
    held.value = next;
  }
  read();
  watch(roomId, read);
  const timer = setInterval(() => {
    now.value = Date.now();
    read();
  }, 1_000);
  onBeforeUnmount(() => clearInterval(timer));

  const secondsLeft = computed(() =>
    held.value ? Math.max(0, Math.floor((held.value.expiresAt - now.value) / 1000)) : 0,
  );
  /** m:ss */
  const leftText = computed(() => {
    const s = secondsLeft.value;
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  });

  function revoke(): void {
    if (roomId.value !== null) forgetAdmission(roomId.value);
    revoked.value = true;
    held.value = null;
  }

  return { admission: held, expired, revoked, secondsLeft, leftText, read, revoke };
}
