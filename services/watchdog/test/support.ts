import { Buckets, type Bus, connectBus, type ReplayedEvent } from "@tongbao/bus";
import { METRO_ORIGIN } from "@tongbao/events";
import { type NatsServer, startNats } from "@tongbao/testkit";
import { createWatchdog, type Watchdog, type WatchedMetro } from "../src/index.ts";

/** A metro of three cities with a short deadline, so that tests see notices fall overdue. */
export const metro: WatchedMetro = {
  acknowledgeWithinSeconds: 1,
  cities: [{ id: "hangzhou" }, { id: "shaoxing" }, { id: "jiaxing" }],
};

export const NOTICES = { stream: "EVENTS", consumer: `${METRO_ORIGIN}-watchdog` } as const;
export const TRACES = { stream: "DIRECT", consumer: `${METRO_ORIGIN}-watchdog-traces` } as const;
export const DIRECTED = { stream: "DIRECT", consumer: `${METRO_ORIGIN}-watchdog-direct` } as const;

export interface Harness extends AsyncDisposable {
  readonly server: NatsServer;
  /** The cities' connection: they publish and record receipts here. */
  readonly bus: Bus;
  /** The watchdog currently running, on its own connection. */
  readonly watchdog: Watchdog;
  /** Stops the watchdog and starts a fresh one (a process restart), doing `meanwhile` in between. */
  restart(meanwhile?: () => Promise<void>): Promise<void>;
}

export const startHarness = async (): Promise<Harness> => {
  const server = await startNats();
  const bus = await connectBus({ servers: server.url, name: "cities" });
  const watchdogBus = await connectBus({ servers: server.url, name: "watchdog" });
  let watchdog = await createWatchdog({ bus: watchdogBus, metro, historyGraceMs: 1_000 });
  return {
    server,
    bus,
    get watchdog() {
      return watchdog;
    },
    restart: async (meanwhile) => {
      await watchdog.stop();
      await meanwhile?.();
      watchdog = await createWatchdog({ bus: watchdogBus, metro, historyGraceMs: 1_000 });
    },
    [Symbol.asyncDispose]: async () => {
      await watchdog.stop().catch(() => undefined);
      await watchdogBus.close().catch(() => undefined);
      await bus.close().catch(() => undefined);
      await server[Symbol.asyncDispose]();
    },
  };
};

/** Polls `probe` until it gives a value other than null. */
export const eventually = async <T>(what: string, probe: () => Promise<T | null>, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

/** Waits until the watchdog has finished with every message up to `seq` (acknowledged, not deferred). */
export const waitUntilChecked = (
  bus: Bus,
  watch: { stream: string; consumer: string },
  seq: number,
): Promise<void> =>
  eventually(`${watch.consumer} to finish with seq ${seq}`, async () => {
    const info = await bus.connection.jsm.consumers.info(watch.stream, watch.consumer);
    return info.ack_floor.stream_seq >= seq ? undefined : null;
  });

/** Every overdue event raised for one key. */
export const overdueEvents = async (
  bus: Bus,
  type: "notice.overdue" | "trace.overdue" | "relay.behind",
  key?: string,
): Promise<ReplayedEvent[]> => {
  const found: ReplayedEvent[] = [];
  for await (const replayed of bus.replay({
    origins: [METRO_ORIGIN],
    types: [type],
    ...(key !== undefined && { key }),
  }))
    found.push(replayed);
  return found;
};

/** Waits for the first overdue event of a key. */
export const nextOverdue = (
  bus: Bus,
  type: "notice.overdue" | "trace.overdue",
  key: string,
  timeoutMs?: number,
) => eventually(`${type} for ${key}`, () => bus.lastEvent({ origin: METRO_ORIGIN, type, key }), timeoutMs);

/**
 * Makes the watchdog see everything again as if it had never handled it — as after a crash between
 * raising an overdue event and acknowledging the notice: its consumers and handled marks are deleted.
 */
export const forgetProgress = async (bus: Bus) => {
  for (const watch of [NOTICES, TRACES, DIRECTED]) {
    await bus.connection.jsm.consumers.delete(watch.stream, watch.consumer);
    await bus.connection.jsm.streams.purge(`KV_${Buckets.handled}`, {
      filter: `$KV.${Buckets.handled}.${watch.consumer}.>`,
    });
  }
};
