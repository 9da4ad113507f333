import type { ConsumerInfo, ConsumerMessages, JsMsg } from "@nats-io/jetstream";
import type { Connection } from "./connect.ts";
import { ACTIVE_GROUP } from "./durable-consumer.ts";
import type { TakeoverLog } from "./takeovers.ts";

/** What a subscription did when it became the consumer's active (pinned) instance. */
export interface Takeover {
  readonly consumer: string;
  /** Deliveries pending acknowledgement that no instance was left to finish (a kill -9, a lost link). */
  readonly leftBehind: number;
  /** True when the consumer went back to its ack floor, so that they came again first, in order. */
  readonly reset: boolean;
  /** The stream sequence everything above which was delivered again. */
  readonly ackFloor: number;
}

export interface PinnedPullOptions {
  readonly conn: Connection;
  readonly stream: string;
  readonly consumer: string;
  readonly batch: number;
  /** Pull requests end within this (below the consumer's takeover time, or the pin would flap). */
  readonly expiresMs: number;
  readonly takeovers: TakeoverLog;
  /** Takeovers at one ack floor after which the consumer is no longer reset (see takeovers.ts). */
  readonly maxResetsAtOneFloor: number;
  /** Hands a message on, in the order received; `current` turns false when this instance lost the pin. */
  readonly deliver: (m: JsMsg, current: () => boolean) => void;
  readonly onTakeover?: (takeover: Takeover) => void;
  readonly onError: (error: unknown) => void;
}

export interface PinnedPull {
  /** True while this instance holds the consumer's pin: it delivers, others stand by. */
  active(): boolean;
  /** Stops pulling; what was received but not handed on is handed back (nak) at once. */
  stop(): Promise<void>;
  /**
   * After stop: gives up the pin if this instance still holds it, so that a standby takes over at
   * once instead of after the takeover time.
   */
  release(): Promise<void>;
}

const PIN_HEADER = "Nats-Pin-Id";

/** One run of holding the pin: from the first message carrying a new pin id until the pin is lost. */
interface PinSession {
  readonly pin: string;
  current: boolean;
  /** After a reset: the highest delivery sequence of what came before it (still arriving, ignored). */
  resetAbove: number | undefined;
}

// Client 3.4.0 types lack the consumer info's priority group state.
const pinnedClientOf = (info: ConsumerInfo): string | undefined =>
  (info as { priority_groups?: { group: string; pinned_client_id?: string }[] }).priority_groups?.find(
    (g) => g.group === ACTIVE_GROUP,
  )?.pinned_client_id;

/** Pending deliveries this session did not receive: another instance's, left when it died. */
const leftBehindOf = (info: ConsumerInfo, firstDelivery: number) =>
  info.num_ack_pending - (info.delivered.consumer_seq - firstDelivery + 1);

/**
 * Pulls a durable consumer as a member of its pinned priority group. When this instance becomes the
 * pinned one (at start, or as a standby taking over) and finds deliveries pending that no instance
 * holds, it resets the consumer to its ack floor: everything above it is delivered again at once, in
 * stream order, instead of after the ack wait behind newer messages. A reset starts delivery
 * sequences at 1 again; what arrives before that drop was sent before the reset and is ignored.
 */
export const startPinnedPull = (options: PinnedPullOptions): PinnedPull => {
  const { conn, stream, consumer } = options;
  let stopping = false;
  let messages: ConsumerMessages | undefined;
  let session: PinSession | undefined;
  let heldAtStop: string | undefined;
  const endedPins = new Set<string>();

  const endSession = () => {
    if (session === undefined) return;
    session.current = false;
    endedPins.add(session.pin);
    session = undefined;
  };

  /** True when the consumer was reset, so that what this session received so far comes again. */
  const takeOver = async (first: JsMsg): Promise<boolean> => {
    const info = await conn.jsm.consumers.info(stream, consumer);
    const leftBehind = leftBehindOf(info, first.info.deliverySequence);
    const ackFloor = info.ack_floor.stream_seq;
    if (leftBehind <= 0) return false;
    const resets = await options.takeovers.count(consumer, ackFloor);
    const reset = resets <= options.maxResetsAtOneFloor;
    if (reset) await conn.jsm.consumers.reset(stream, consumer);
    options.onTakeover?.({ consumer, leftBehind, reset, ackFloor });
    return reset;
  };

  const receive = async (m: JsMsg) => {
    const pin = m.headers?.get(PIN_HEADER) ?? "";
    if (endedPins.has(pin)) return; // received before this instance lost the pin: another has it now
    if (session?.pin !== pin) {
      endSession();
      const started: PinSession = { pin, current: true, resetAbove: undefined };
      session = started;
      try {
        if (await takeOver(m)) started.resetAbove = m.info.deliverySequence;
      } catch (error) {
        // No reset (a missing permission, a lost link): deliver on; what was left
        // behind comes back after its ack wait, as it would without this.
        options.onError(error);
      }
      if (started.resetAbove !== undefined) return;
    }
    const current = session as PinSession;
    if (current.resetAbove !== undefined) {
      if (m.info.deliverySequence > current.resetAbove) {
        current.resetAbove = m.info.deliverySequence;
        return;
      }
      current.resetAbove = undefined;
    }
    options.deliver(m, () => current.current);
  };

  // Ends the pull; the loop below still reads what arrived before, to hand it back.
  const close = (pulled: ConsumerMessages) => void pulled.close().catch(() => undefined);

  const watchPin = async (pulled: ConsumerMessages) => {
    for await (const status of pulled.status()) {
      if (status.type === "consumer_unpinned") endSession();
    }
  };

  const loop = (async () => {
    while (!stopping) {
      try {
        const pulled = await (await conn.js.consumers.get(stream, consumer)).consume({
          max_messages: options.batch,
          expires: options.expiresMs,
          group: ACTIVE_GROUP,
        });
        messages = pulled;
        if (stopping) close(pulled); // stopped while the pull was being set up
        watchPin(pulled).catch(() => undefined);
        for await (const m of pulled) {
          if (stopping) m.nak();
          else await receive(m);
        }
      } catch (error) {
        // No connection, the consumer gone, the server restarting: JetStream keeps the work.
        options.onError(error);
      }
      endSession();
      if (!stopping) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  })();

  return {
    active: () => session?.current === true,
    stop: async () => {
      stopping = true;
      heldAtStop = session?.current ? session.pin : undefined;
      if (messages) close(messages);
      await loop;
    },
    release: async () => {
      if (heldAtStop === undefined) return;
      try {
        const info = await conn.jsm.consumers.info(stream, consumer);
        if (pinnedClientOf(info) === heldAtStop)
          await conn.jsm.consumers.unpin(stream, consumer, ACTIVE_GROUP);
      } catch {
        // Not released: a standby takes over once the pin times out.
      }
    },
  };
};
