// @tongbao/testkit — real nats-server processes for tests, and event factories.

export type { ServerSentEvent } from "./event-stream.ts";
export { openEventStream } from "./event-stream.ts";
export type { EventOverrides } from "./events.ts";
export { eventOf, uniqueKey } from "./events.ts";
export { storeMetro } from "./metro.ts";
export type {
  LeafCityServer,
  LeafMetro,
  NatsCluster,
  NatsServer,
  StartLeafMetroOptions,
  StartNatsOptions,
} from "./nats/index.ts";
export {
  findNatsServerBinary,
  freePorts,
  startCluster,
  startLeafMetro,
  startNats,
} from "./nats/index.ts";
export { waitFor } from "./wait.ts";
