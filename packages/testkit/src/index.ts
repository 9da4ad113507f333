// @tongbao/testkit — real nats-server processes for tests, and event factories.

export type { EventOverrides } from "./events.ts";
export { eventOf, uniqueKey } from "./events.ts";
export type { NatsCluster, NatsServer, StartNatsOptions } from "./nats/index.ts";
export { freePorts, startCluster, startNats } from "./nats/index.ts";
