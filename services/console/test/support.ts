import { type Bus, connectBus } from "@tongbao/bus";
import type { Metro } from "@tongbao/metro";
import { createProjector, openReadModels, type Projector } from "@tongbao/projections";
import { type NatsServer, openEventStream, startNats, storeMetro } from "@tongbao/testkit";
import type { FastifyInstance } from "fastify";
import { createConsole, hashToken, type Limits, type NoticeView } from "../src/index.ts";

/** The operators' tokens in clear: only the test knows them; the console gets their hashes. */
export const operatorTokens = { ada: "op-ada-3f9c1e7b5d2a4068", bo: "op-bo-8e2d6a0c4f1b7935" } as const;
/** A city's gateway token: it opens the gateway, and must not open the console. */
export const cityToken = "tb_hangzhou_c1ty-g4teway-t0ken";

const CITIES = ["hangzhou", "shaoxing", "suzhou"] as const;

export const metroOf = (acknowledgeWithinSeconds: number) => storeMetro(CITIES, { acknowledgeWithinSeconds });

export interface Harness extends AsyncDisposable {
  readonly nats: NatsServer;
  readonly bus: Bus;
  readonly app: FastifyInstance;
  readonly url: string;
  readonly metro: Metro;
}

export const startConsole = async (
  options: { acknowledgeWithinSeconds?: number; limits?: Partial<Limits> } = {},
): Promise<Harness> => {
  const nats = await startNats();
  const bus = await connectBus({ servers: nats.url, name: "console-test" });
  const metro = metroOf(options.acknowledgeWithinSeconds ?? 60);
  const projector: Projector = createProjector({ bus });
  await projector.ready;
  const app = createConsole({
    bus,
    metro,
    readModels: await openReadModels(bus, metro),
    deadLetters: bus.deadLetters,
    operators: Object.fromEntries(Object.entries(operatorTokens).map(([name, t]) => [name, hashToken(t)])),
    limits: { heartbeatMs: 200, ...options.limits },
  });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    nats,
    bus,
    app,
    url,
    metro,
    [Symbol.asyncDispose]: async () => {
      await app.close();
      await projector.stop();
      await bus.close();
      await nats[Symbol.asyncDispose]();
    },
  };
};

export interface SignedIn {
  readonly cookie: string;
  readonly csrf: string;
  /** fetch as the signed-in browser would: the cookie, and the CSRF header on POSTs. */
  fetch(path: string, init?: { method?: string; body?: unknown; csrf?: boolean }): Promise<Response>;
}

export const signIn = async (url: string, token: string = operatorTokens.ada): Promise<SignedIn> => {
  const response = await fetch(`${url}/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token }),
  });
  if (response.status !== 200) throw new Error(`sign-in answered ${response.status}`);
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] as string;
  const { csrf } = (await response.json()) as { csrf: string };
  return {
    cookie,
    csrf,
    fetch: (path, init = {}) =>
      fetch(`${url}${path}`, {
        method: init.method ?? "GET",
        headers: {
          cookie,
          ...(init.body === undefined ? {} : { "content-type": "application/json" }),
          ...(init.csrf === false || init.method === undefined ? {} : { "x-csrf-token": csrf }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      }),
  };
};

/** The console's live feed over real HTTP: the notices parsed so far, and the comment lines seen. */
export const openFeed = async (url: string, headers: Record<string, string>) => {
  const feed = await openEventStream(`${url}/api/feed`, headers);
  return {
    ...feed,
    get notices() {
      return feed.events.map((e) => JSON.parse(e.data ?? "null") as NoticeView);
    },
  };
};

export { waitFor } from "@tongbao/testkit";
