// @tongbao/metro — metro definitions (infra/metros/*.json) as checked data.
export { cityIds, cityOf, loadMetro, MetroDefinitionError, readSecret } from "./load.ts";
export { City, Delivery, District, Metro, SecretRef } from "./schema.ts";
