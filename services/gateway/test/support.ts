import { type Bus, connectBus } from "@tongbao/bus";
import type { EventInput } from "@tongbao/events";
import type { Metro } from "@tongbao/metro";
import { createProjector, openReadModels, type Projector } from "@tongbao/projections";
import type { Logger } from "@tongbao/service-kit";
import { type NatsServer, startNats, storeMetro } from "@tongbao/testkit";
import type { FastifyInstance } from "fastify";
import { createGateway, hashToken, type Limits } from "../src/index.ts";

/** Each city's token in clear: only the test knows them; the gateway gets their hashes. */
export const tokens = {
  hangzhou: "hz-7f3a0c1e9b5d4a28",
  shaoxing: "sx-2c8e6b0a4f1d7e93",
  shanghai: "sh-5b1d9f3e7a2c6048",
  suzhou: "sz-9e4a2c7b1f0d3865",
} as const;
export type City = keyof typeof tokens;

export const metro = storeMetro(Object.keys(tokens));

export const tokenHashes = Object.fromEntries(Object.entries(tokens).map(([id, t]) => [id, hashToken(t)]));

export interface Harness extends AsyncDisposable {
  readonly nats: NatsServer;
  readonly bus: Bus;
  readonly app: FastifyInstance;
  readonly projector: Projector;
}

export const startGateway = async (
  options: { limits?: Partial<Limits>; metro?: Metro; logger?: Logger } = {},
): Promise<Harness> => {
  const nats = await startNats();
  const bus = await connectBus({ servers: nats.url, name: "gateway-test" });
  const projector = createProjector({ bus });
  await projector.ready;
  const readModels = await openReadModels(bus, options.metro ?? metro);
  const app = createGateway({
    bus,
    metro: options.metro ?? metro,
    tokens: tokenHashes,
    readModels,
    limits: options.limits ?? {},
    ...(options.logger && { logger: options.logger }),
  });
  await app.ready();
  return {
    nats,
    bus,
    app,
    projector,
    [Symbol.asyncDispose]: async () => {
      await app.close();
      await projector.stop();
      await bus.close();
      await nats[Symbol.asyncDispose]();
    },
  };
};

export const bearer = (id: City) => ({ authorization: `Bearer ${tokens[id]}` });

/** An event as a city system sends it over HTTP: no origin (the token says who), no id unless given. */
export const asSent = ({ origin: _origin, ...event }: EventInput): Record<string, unknown> => event;

export { waitFor } from "@tongbao/testkit";
