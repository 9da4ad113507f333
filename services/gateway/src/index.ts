// @tongbao/gateway — the HTTP face of Tongbao for city systems.
export type { TokenHashes } from "./auth.ts";
export { createAuthenticator, hashToken, loadTokenHashes } from "./auth.ts";
export { GatewayConfig } from "./config.ts";
export type { Limits } from "./context.ts";
export { defaultLimits } from "./context.ts";
export type { GatewayOptions } from "./gateway.ts";
export { createGateway } from "./gateway.ts";
export type { ReadModels } from "./read-models.ts";
export { openApiDocument } from "./routes/openapi.ts";
