export { freePorts } from "./free-port.ts";
export { startCluster, startNats } from "./start.ts";
export type { NatsCluster, NatsServer, StartNatsOptions } from "./types.ts";
