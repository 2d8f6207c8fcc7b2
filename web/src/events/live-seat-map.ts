import { computed, onBeforeUnmount, ref, shallowRef } from 'vue';
import type {
  SeatChanges,
  SeatMapView,
  SeatStatus,
  SeatView,
  ZoneSummary,
} from '../../../core/views/sale-views';
import { loadSession } from '../auth/session-storage';
import { liveSocket, type LiveSocket } from '../live/socket';
import { getSeatMap } from './events-api';

export type LiveState = 'signed-out' | 'connecting' | 'live' | 'lost' | 'unavailable';

/** How long to wait for the live connection before drawing the map without it (it is read again on connect). */
const CONNECT_GRACE_MS = 3_000;
const WATCH_TIMEOUT_MS = 10_000;

/**
 * An event's seat map that stays current while the page is open, by push only: `watch:event` once the
 * socket is connected (again after every reconnect), then the map is read (a change pushed before the
 * read is already in it, see `asOf`), then each `seats:changed` is applied. Signed out there is no socket:
 * the map is read once.
 */
export function useLiveSeatMap(
  eventId: number,
  onChanged?: (changes: { label: string; status: SeatStatus }[]) => void,
) {
  // Plain objects (thousands of them): statuses change in place and `version` tells who draws them.
  const seats = shallowRef<SeatView[]>([]);
  const version = ref(0);
  const meta = shallowRef<Pick<SeatMapView, 'width' | 'height' | 'asOf'> | null>(null);
  const loadError = shallowRef<unknown>(null);
  const live = ref<LiveState>(loadSession() ? 'connecting' : 'signed-out');
  let byLabel = new Map<string, SeatView>();

  /** Counts per zone, from the seats as they are now (zones in the order the map lists them). */
  const zones = computed<ZoneSummary[]>(() => {
    void version.value;
    const out = new Map<string, ZoneSummary>();
    for (const s of seats.value) {
      let z = out.get(s.zone);
      if (!z) {
        z = {
          zone: s.zone,
          minPriceCents: s.priceCents,
          maxPriceCents: s.priceCents,
          total: 0,
          free: 0,
          held: 0,
          sold: 0,
        };
        out.set(s.zone, z);
      }
      z.total++;
      z[s.status]++;
      if (s.priceCents < z.minPriceCents) z.minPriceCents = s.priceCents;
      if (s.priceCents > z.maxPriceCents) z.maxPriceCents = s.priceCents;
    }
    return [...out.values()];
  });

  let readsInFlight = 0;
  let readSeq = 0;
  let buffered: SeatChanges[] = [];

  function apply(changes: SeatChanges): void {
    const applied: { label: string; status: SeatStatus }[] = [];
    for (const c of changes.seats) {
      const seat = byLabel.get(c.label);
      if (seat && seat.status !== c.status) {
        seat.status = c.status;
        applied.push(c);
      }
    }
    if (applied.length > 0) {
      version.value++;
      onChanged?.(applied);
    }
  }

  async function read(): Promise<void> {
    const seq = ++readSeq;
    readsInFlight++;
    try {
      const map = await getSeatMap(eventId);
      if (seq !== readSeq) return;
      byLabel = new Map(map.seats.map((s) => [s.label, s]));
      seats.value = map.seats;
      meta.value = { width: map.width, height: map.height, asOf: map.asOf };
      loadError.value = null;
      const asOf = Date.parse(map.asOf);
      for (const c of buffered) if (!(Date.parse(c.at) < asOf)) apply(c);
      buffered = [];
    } catch (err) {
      if (seq === readSeq) loadError.value = err;
    } finally {
      readsInFlight--;
      if (readsInFlight === 0 && buffered.length > 0) {
        for (const c of buffered) apply(c);
        buffered = [];
      }
    }
  }

  const onSeats = (changes: SeatChanges) => {
    if (changes.eventId !== eventId) return;
    if (readsInFlight > 0) buffered.push(changes);
    else apply(changes);
  };

  let socket: LiveSocket | undefined;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;

  async function watch(): Promise<void> {
    if (!socket) return;
    clearTimeout(graceTimer);
    live.value = 'connecting';
    const s = socket;
    const ok = await new Promise<boolean>((resolve) => {
      s.timeout(WATCH_TIMEOUT_MS).emit('watch:event', { eventId }, (err: Error | null, reply) =>
        resolve(!err && reply.ok),
      );
    });
    live.value = ok ? 'live' : 'unavailable';
    await read();
  }
  const onConnect = () => void watch();
  const onDisconnect = () => {
    live.value = 'lost';
  };
  const onConnectError = () => {
    if (!socket?.connected) live.value = 'unavailable';
  };

  function start(): void {
    if (live.value === 'signed-out') {
      void read();
      return;
    }
    socket = liveSocket();
    socket.on('seats:changed', onSeats);
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('connect_error', onConnectError);
    if (socket.connected) {
      void watch();
    } else {
      // Draw the map without waiting long for the connection; it is read again once connected.
      graceTimer = setTimeout(() => {
        if (!meta.value) void read();
      }, CONNECT_GRACE_MS);
    }
  }

  onBeforeUnmount(() => {
    clearTimeout(graceTimer);
    if (!socket) return;
    socket.off('seats:changed', onSeats);
    socket.off('connect', onConnect);
    socket.off('disconnect', onDisconnect);
    socket.off('connect_error', onConnectError);
    if (socket.connected) socket.emit('unwatch:event', { eventId });
  });

  /** A seat the person learned the status of another way (their own request's outcome, say). */
  function setStatus(label: string, status: SeatStatus): void {
    const seat = byLabel.get(label);
    if (seat && seat.status !== status) {
      seat.status = status;
      version.value++;
    }
  }

  return { seats, version, meta, zones, live, loadError, start, reload: read, setStatus };
}
