// @tongbao/service-kit — what every service shares.
export { ConfigError, parseConfig } from "./config.ts";
export type { EventFeedOptions, FeedStream } from "./event-feed.ts";
export { serveEventFeed, startFollows } from "./event-feed.ts";
export type { Running } from "./lifecycle.ts";
export { runService } from "./lifecycle.ts";
export type { Logger } from "./logger.ts";
export { createLogger } from "./logger.ts";
export { NatsSettings, NatsSettingsError, natsOptionsOf, OpsSettings } from "./nats-settings.ts";
export type { OpsServer, ReadinessCheck } from "./ops-server.ts";
export { startOpsServer } from "./ops-server.ts";
