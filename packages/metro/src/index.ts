// @tongbao/metro — metro definitions (infra/metros/*.json) as checked data.
export {
  DEFAULT_SYNC_INTERVAL,
  lossWindowOf,
  syncIntervalOf,
  syncIntervalSetting,
} from "./durability.ts";
export { cityIds, cityOf, loadMetro, MetroDefinitionError, metroViewOf, readSecret } from "./load.ts";
export { City, Delivery, District, Durability, Metro, SecretRef, SyncInterval } from "./schema.ts";
