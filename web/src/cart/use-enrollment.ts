import { onBeforeUnmount, ref } from 'vue';
import type { RequestView } from '../../../core/views/request-view';
import type { Admission } from '../admission/admission';
import { ApiError } from '../api/api-error';
import { liveSocket } from '../live/socket';
import { getRequest, submitEnrollment } from './cart-api';
import { forgetPending, loadPending, pendingFor, savePending } from './pending-enrollment';

export type EnrollPhase = 'idle' | 'sending' | 'waiting' | 'done';

/**
 * One enrollment submission and its outcome, live: POST with the stored Idempotency-Key, then the
 * `request:update` push for that request (and one GET after subscribing, in case the push came first or
 * while the socket was reconnecting). `onSettled` runs once the outcome is known.
 */
export function useEnrollment(termId: number, onSettled: (request: RequestView) => void) {
  const phase = ref<EnrollPhase>('idle');
  const request = ref<RequestView | null>(null);
  const error = ref<unknown>(null);
  let watching: number | null = null;

  const socket = liveSocket();

  function settle(view: RequestView): void {
    if (view.id !== watching) return;
    request.value = view;
    if (view.status === 'queued') return;
    watching = null;
    phase.value = 'done';
    forgetPending(termId);
    onSettled(view);
  }

  const onUpdate = (view: RequestView) => settle(view);
  const onConnect = () => {
    if (watching !== null) void readOnce(watching);
  };
  socket.on('request:update', onUpdate);
  socket.on('connect', onConnect);
  onBeforeUnmount(() => {
    socket.off('request:update', onUpdate);
    socket.off('connect', onConnect);
  });

  async function readOnce(id: number): Promise<void> {
    try {
      settle(await getRequest(id));
    } catch (err) {
      // The push still comes; a failed read only matters if nothing else arrives.
      if (watching === id && !(err instanceof ApiError && err.code === 'NETWORK')) error.value = err;
    }
  }

  function watch(id: number): void {
    watching = id;
    phase.value = 'waiting';
    void readOnce(id);
  }

  async function submit(sectionIds: number[], admission: Admission): Promise<void> {
    if (phase.value === 'sending' || phase.value === 'waiting') return;
    error.value = null;
    request.value = null;
    phase.value = 'sending';
    const pending = pendingFor(termId, admission.roomId, sectionIds);
    try {
      const answer = await submitEnrollment(sectionIds, pending.key, admission);
      savePending({ ...pending, requestId: answer.requestId });
      request.value = answer.request;
      watch(answer.requestId);
    } catch (err) {
      // Kept for a retry with the same key, except when the key itself is refused.
      if (err instanceof ApiError && err.code === 'IDEMPOTENCY_KEY_REUSED') forgetPending(termId);
      error.value = err;
      phase.value = 'idle';
    }
  }

  /** After a reload: a submission answered but not yet settled is followed again. */
  function resume(): void {
    const pending = loadPending(termId);
    if (pending?.requestId) watch(pending.requestId);
  }

  return { phase, request, error, submit, resume };
}
