// The minimal loop the relay is measured against (`relay sdk/raw` in services.ts): a durable
// consumer per city on EVENTS and a signed POST of each other city's broadcast to the same receiver,
// nothing else — no decoding or deciding, no receipts, no retries, no metrics. A child process of the
// benchmark, so that /proc gives its CPU apart. Env: NATS_URL, SINK_URL, RAW_SECRETS (JSON: city →
// webhook secret). Runs until SIGTERM.
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { Agent } from "undici";
import { webhookSigner } from "../../services/city-relay/src/signing.ts";

const CONCURRENCY = 16;
const secrets = JSON.parse(process.env.RAW_SECRETS ?? "{}") as Record<string, string>;
const sinkUrl = new URL(process.env.SINK_URL ?? "");
const nc = await connect({ servers: process.env.NATS_URL ?? "", noAsyncTraces: true });
const jsm = await jetstreamManager(nc);
const js = jetstream(nc);
const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
const decoder = new TextDecoder();

const relay = async (city: string, secret: string) => {
  const sign = webhookSigner(secret, city);
  const name = `raw-${city}`;
  await jsm.consumers.add("EVENTS", {
    durable_name: name,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.New,
    filter_subject: "evt.>",
    max_ack_pending: 1_000,
  });
  const messages = await (await js.consumers.get("EVENTS", name)).consume({ max_messages: CONCURRENCY });
  let inFlight = 0;
  let wake: (() => void) | undefined;
  for await (const m of messages) {
    // evt.<origin>.…: a city's own broadcasts are not sent back to it.
    if (m.subject.split(".", 2)[1] === city) {
      m.ack();
      continue;
    }
    while (inFlight >= CONCURRENCY) await new Promise<void>((resolve) => (wake = resolve));
    inFlight++;
    const body = decoder.decode(m.data);
    const { id, origin } = JSON.parse(body) as { id: string; origin: string };
    const webhookId = `${origin}:${id}`;
    const now = new Date();
    agent
      .request({
        origin: sinkUrl.origin,
        path: `/hooks/${city}`,
        method: "POST",
        headers: {
          "content-type": "application/cloudevents+json; charset=utf-8",
          "webhook-id": webhookId,
          "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
          "webhook-signature": sign(webhookId, now, body),
        },
        body,
      })
      .then(async (response) => {
        await response.body.dump();
        m.ack();
      })
      .catch(() => m.nak())
      .finally(() => {
        inFlight--;
        const w = wake;
        wake = undefined;
        w?.();
      });
  }
};

for (const [city, secret] of Object.entries(secrets)) void relay(city, secret);
process.stdout.write("raw relay ready\n");
process.once("SIGTERM", async () => {
  await nc.close();
  process.exit(0);
});
