import { randomBytes } from "node:crypto";
import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type Bus, type BusOptions, connectBus, streamNamesOf } from "@tongbao/bus";
import { type NatsServer, startNats } from "@tongbao/testkit";
import { usersOf } from "../../infra/nats/permissions.ts";
import { renderAuthorization } from "../../infra/nats/render.ts";

// The attacker's position: one server with the NATS users generated from a metro's cities (as
// deployed), a city's own credentials, and a raw client that skips every check the SDK makes.

export interface SecuredServer extends AsyncDisposable {
  readonly server: NatsServer;
  /** Tongbao's SDK under a generated user (admin makes the topology); `metro` for its deciders. */
  as(user: string, options?: Pick<BusOptions, "metro">): Promise<Bus>;
  /** A bare NATS connection and JetStream client under a generated user: no SDK, no checks. */
  raw(user: string): Promise<{ nc: NatsConnection; js: JetStreamClient }>;
}

export const startSecured = async (cities: readonly string[]): Promise<SecuredServer> => {
  const users = usersOf(cities, cities, streamNamesOf({ kind: "single" }), true);
  // nats-server parses an environment value as a config value: a password starts with a letter.
  const passwords = new Map(users.map((u) => [u.user, `pw${randomBytes(12).toString("hex")}`]));
  for (const u of users) process.env[u.passwordEnv] = passwords.get(u.user);
  const server = await startNats({ extraConfig: renderAuthorization(users) });
  const open: { close(): Promise<unknown> }[] = [];
  const credentials = (user: string) => ({ user, pass: passwords.get(user) ?? "" });
  const as = async (user: string, options: Pick<BusOptions, "metro"> = {}) => {
    const bus = await connectBus({
      ...options,
      servers: server.url,
      name: `${user}-red-team`,
      credentials: { kind: "user", user, password: credentials(user).pass },
      ...(user === "admin" ? {} : { topology: false as const }),
    });
    open.push(bus);
    return bus;
  };
  await as("admin");
  return {
    server,
    as,
    raw: async (user) => {
      const nc = await connect({ servers: server.url, name: `${user}-raw`, ...credentials(user) });
      open.push(nc);
      return { nc, js: jetstream(nc) };
    },
    [Symbol.asyncDispose]: async () => {
      for (const c of open.reverse()) await c.close().catch(() => undefined);
      await server[Symbol.asyncDispose]();
    },
  };
};
