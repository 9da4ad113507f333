import { join } from "node:path";
import { type Bus, connectBus, type DeadLetter, deadLetterSubject, Streams } from "@tongbao/bus";
import { type City, cityOf, type Delivery, loadMetro } from "@tongbao/metro";
import { createLogger } from "@tongbao/service-kit";
import { type NatsServer, startNats } from "@tongbao/testkit";
import { newWebhookSecret } from "../src/index.ts";

export const logger = createLogger("city-relay-test", "silent");

export interface Harness extends AsyncDisposable {
  readonly server: NatsServer;
  readonly bus: Bus;
}

/** A real nats-server of the test's own and a bus connected to it; both go away with the harness. */
export const startHarness = async (): Promise<Harness> => {
  const server = await startNats();
  const bus = await connectBus({ servers: server.url, name: "city-relay-test" });
  return {
    server,
    bus,
    [Symbol.asyncDispose]: async () => {
      await bus.close().catch(() => undefined);
      await server[Symbol.asyncDispose]();
    },
  };
};

export { waitFor } from "@tongbao/testkit";

const metro = await loadMetro(join(import.meta.dirname, "../../../infra/metros/yrd.json"));

/** A city of the demo metro, delivering as the test says. */
export const cityWith = (id: string, delivery: Delivery): City => {
  const city = cityOf(metro, id);
  if (!city) throw new Error(`no city ${id} in the demo metro`);
  return { ...city, delivery };
};

/** A webhook city whose only URL is its hook on `sinkUrl`. */
export const webhookCity = (id: string, sinkUrl: string, timeoutMs = 2_000): City =>
  cityWith(id, { kind: "webhook", urls: [`${sinkUrl}/hooks/${id}`], secret: { env: "UNUSED" }, timeoutMs });

export const secrets = Object.fromEntries(
  ["shanghai", "suzhou", "jiaxing", "hangzhou"].map((city) => [city, newWebhookSecret()]),
) as Record<"shanghai" | "suzhou" | "jiaxing" | "hangzhou", string>;

export const deadLetterAt = async (bus: Bus, consumer: string, seq: number): Promise<DeadLetter | null> => {
  const stored = await bus.connection.jsm.direct.getMessage(Streams.deadLetters, {
    last_by_subj: deadLetterSubject(consumer, Streams.events, seq),
  });
  return stored === null ? null : stored.json<DeadLetter>();
};

/** How many receipts were ever written (a repeated receipt would be a second write). */
export const receiptWrites = async (bus: Bus): Promise<number> =>
  (await bus.connection.jsm.streams.info(Streams.receipts)).state.last_seq;
