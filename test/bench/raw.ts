// The raw @nats-io/jetstream side of test/bench/core.ts: what a hand-written client would do.
import type { JetStreamClient } from "@nats-io/jetstream";
import type { TongbaoEvent } from "@tongbao/events";

/**
 * Publishes complete events with at most `window` awaited publishes in flight. Each event is
 * stringified here, its subject and message id built here (evt.<origin>.<domain>.<action>.<key>,
 * <origin>:<id>), exactly what the SDK stores.
 */
export const rawPublish = async (
  js: JetStreamClient,
  events: readonly TongbaoEvent[],
  window: number,
): Promise<number> => {
  let inFlight = 0;
  let failed = 0;
  let wake: (() => void) | undefined;
  const settled = () => {
    inFlight--;
    const w = wake;
    wake = undefined;
    w?.();
  };
  const failedOne = () => {
    failed++;
    settled();
  };
  const freed = () =>
    new Promise<void>((resolve) => {
      wake = resolve;
    });
  for (const e of events) {
    while (inFlight >= window) await freed();
    inFlight++;
    js.publish(`evt.${e.origin}.${e.type}.${e.subject}`, JSON.stringify(e), {
      msgID: `${e.origin}:${e.id}`,
    }).then(settled, failedOne);
  }
  while (inFlight > 0) await freed();
  if (failed > 0) throw new Error(`raw publish: ${failed} of ${events.length} failed`);
  return events.length;
};

/** Reads the whole stream with an ordered consumer, JSON-parsing every message. */
export const rawReplay = async (js: JetStreamClient, stream: string): Promise<number> => {
  const consumer = await js.consumers.get(stream, { filter_subjects: "evt.>" });
  const messages = await consumer.consume({ max_messages: 1_000 });
  let count = 0;
  try {
    for await (const m of messages) {
      if (m.json<{ id?: unknown }>().id !== undefined) count++;
      if (m.info.pending === 0) break;
    }
  } finally {
    await messages.close();
  }
  return count;
};
