export { findNatsServerBinary } from "./binary.ts";
export { freePorts } from "./free-port.ts";
export type { LeafCityServer, LeafMetro, StartLeafMetroOptions } from "./leaf-metro.ts";
export { startLeafMetro } from "./leaf-metro.ts";
export { startCluster, startNats } from "./start.ts";
export type { NatsCluster, NatsServer, StartNatsOptions } from "./types.ts";
