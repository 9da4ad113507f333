// @tongbao/bus — the only package that imports the NATS client.

export { EventValidationError } from "@tongbao/events";
export type { Bus, BusOptions } from "./bus.ts";
export { connectBus } from "./bus.ts";
export type { Connection, ConnectOptions, Credentials } from "./connect.ts";
export type {
  DeadLetterAdmin,
  DeadLetterFilter,
  DeadLetterSelector,
  StoredDeadLetter,
} from "./dead-letter-admin.ts";
export type { DeadLetter } from "./dead-letters.ts";
export { DeadLetterReason, deadLetterSubject } from "./dead-letters.ts";
export type { TopologyDifference } from "./errors.ts";
export {
  BatchRefusal,
  BatchRefusedError,
  ConcurrencyConflictError,
  NotFoundError,
  PermissionDeniedError,
  RuleViolationError,
  TimeoutError,
  TopologyConflictError,
} from "./errors.ts";
export type { Following, FollowQuery } from "./follow.ts";
export {
  type ConsumerLag,
  type Lag,
  lagOf,
  RELAY_SERVICES,
  secondsBehind,
} from "./lag.ts";
export type { EventByIdQuery } from "./lookup.ts";
export { type ConsumerPause, MAX_PAUSE_MS, type PauseTarget } from "./pause.ts";
export type { ManyOptions, Published, PublishOptions, PublishOutcome } from "./publish.ts";
export { messageIdOf } from "./publish.ts";
export type { BatchOptions } from "./publish-batch.ts";
export type { Acknowledgement, NoticeRef, Receipt, ReceiptReport } from "./receipts.ts";
export type { RefusedOnRead, ReplayedEvent, ReplayQuery } from "./replay.ts";
export {
  HOW_TO_GET_NATS_SERVER,
  isSupportedServer,
  REQUIRED_NATS_SERVER,
  requireSupportedServer,
  UnsupportedServerError,
  versionInBanner,
} from "./server-version.ts";
export type { Store, StoredValue, StoreOptions } from "./store.ts";
export type { ConsumerReport, SourceReport, StreamReport } from "./streams-report.ts";
export type { Delivery, Handler, Later, SubscribeOptions, Subscription, Takeover } from "./subscribe.ts";
export type { BusMode } from "./topology/mode.ts";
export { DOMAIN_LOCAL_SUBJECTS, domainOf, HUB_DOMAIN, linkDeliveryOf } from "./topology/mode.ts";
export type { StreamNames } from "./topology/names.ts";
export {
  Buckets,
  ConsumerServices,
  Consumers,
  LeafStreams,
  Streams,
  streamNamesOf,
} from "./topology/names.ts";
export type { StreamSpec, TopologyOptions } from "./topology/specs.ts";
export { streamSpecsOf } from "./topology/specs.ts";
