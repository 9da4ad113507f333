import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { webhookVerifier } from "../signing.ts";

/** What a city's system got: the notice's envelope, never its data. */
export interface ReceivedNotice {
  readonly webhookId: string;
  readonly id: string;
  readonly type: string;
  readonly origin: string;
  readonly status: string;
  /** The event's own time. */
  readonly time: string;
  readonly receivedAt: string;
  /** From the event's time to its arrival here. */
  readonly latencyMs: number;
  /** Deliveries of the same webhook-id after the first (answered 2xx, not acted on again). */
  repeats: number;
}

/** up: accept; down: answer 503; hang: never answer (the relay's timeout has to end it). */
export type SinkMode = "up" | "down" | "hang";

export interface WebhookSink {
  /** http://host:port; a city's webhook URL is `${url}/hooks/${city}`. */
  readonly url: string;
  received(city: string): readonly ReceivedNotice[];
  setMode(city: string, mode: SinkMode): void;
  close(): Promise<void>;
}

export interface WebhookSinkOptions {
  readonly port?: number;
  readonly host?: string;
  /** Per city, its webhook secret in the Standard Webhooks format. */
  readonly secrets: Readonly<Record<string, string>>;
}

// A batch of up to 1,000 notices.
const MAX_BODY_BYTES = 8 << 20;

class BodyTooLargeError extends Error {}

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
};

const answer = (res: ServerResponse, status: number, body?: unknown) => {
  if (body === undefined) return void res.writeHead(status).end();
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
};

interface SentEvent {
  readonly id?: unknown;
  readonly type?: unknown;
  readonly origin?: unknown;
  readonly status?: unknown;
  readonly time?: unknown;
}

interface CitySystem {
  readonly verify: ReturnType<typeof webhookVerifier>;
  readonly byWebhookId: Map<string, ReceivedNotice>;
  readonly received: ReceivedNotice[];
  mode: SinkMode;
}

/**
 * A demo of the cities' systems: `POST /hooks/:city` verifies the Standard Webhooks signature (401
 * when it does not match), takes one notice or a CloudEvents JSON batch, acts once per notice (a
 * repeat still gets its 2xx) and answers 204.
 * `GET /hooks/:city` lists what the city received, `GET /hooks` counts it per city.
 */
export const startWebhookSink = async (options: WebhookSinkOptions): Promise<WebhookSink> => {
  // Verified by the Standard Webhooks rules with native HMAC (the library's JavaScript SHA-256 would
  // make the sink the bottleneck of the fan-out benchmark); the relay's tests verify its signatures
  // with the standardwebhooks library itself.
  const cities = new Map<string, CitySystem>(
    Object.entries(options.secrets).map(([city, secret]) => [
      city,
      {
        verify: webhookVerifier(secret, city),
        byWebhookId: new Map(),
        received: [],
        mode: "up",
      },
    ]),
  );
  const systemOf = (city: string) => {
    const system = cities.get(city);
    if (!system) throw new TypeError(`the webhook sink has no secret for city ${city}`);
    return system;
  };

  const accept = async (system: CitySystem, req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    if (system.mode === "down") return answer(res, 503, { error: "the city's system is down" });
    if (system.mode === "hang") return; // never answered; close() ends it
    if (!system.verify(req.headers, body)) {
      return answer(res, 401, { error: "the webhook signature does not verify" });
    }
    const webhookId = req.headers["webhook-id"] as string;
    const batch = String(req.headers["content-type"] ?? "").startsWith("application/cloudevents-batch+json");
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return answer(res, 400, { error: "the body is not JSON" });
    }
    if (batch && !Array.isArray(parsed)) return answer(res, 400, { error: "a batch is a JSON array" });
    const receivedAt = new Date();
    for (const event of (batch ? parsed : [parsed]) as SentEvent[]) {
      // Alone, a notice's webhook-id is `<origin>:<id>`; in a batch, each notice is known by the same.
      const key = batch ? `${String(event.origin)}:${String(event.id)}` : webhookId;
      const known = system.byWebhookId.get(key);
      if (known) {
        known.repeats++;
        continue;
      }
      const time = String(event.time);
      const notice: ReceivedNotice = {
        webhookId,
        id: String(event.id),
        type: String(event.type),
        origin: String(event.origin),
        status: String(event.status),
        time,
        receivedAt: receivedAt.toISOString(),
        latencyMs: receivedAt.getTime() - Date.parse(time),
        repeats: 0,
      };
      system.byWebhookId.set(key, notice);
      system.received.push(notice);
    }
    answer(res, 204);
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (req.method === "GET" && (path === "/hooks" || path === "/hooks/")) {
      return answer(res, 200, Object.fromEntries([...cities].map(([city, s]) => [city, s.received.length])));
    }
    const match = /^\/hooks\/([a-z][a-z0-9-]*)$/.exec(path);
    const system = match?.[1] === undefined ? undefined : cities.get(match[1]);
    if (!system) return answer(res, 404, { error: "no such city hook" });
    if (req.method === "GET") return answer(res, 200, system.received);
    if (req.method !== "POST") return answer(res, 405, { error: "POST a notice, or GET the list" });
    return accept(system, req, res);
  };

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) answer(res, 413, { error: "the body is too large" });
      else answer(res, 500, { error: "the sink failed" });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(":") ? `[${address}]` : address}:${port}`,
    received: (city) => systemOf(city).received,
    setMode: (city, mode) => {
      systemOf(city).mode = mode;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hanging requests and idle keep-alive connections would otherwise hold close() forever.
        server.closeAllConnections();
      }),
  };
};
