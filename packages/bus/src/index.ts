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
export { DEAD_LETTER_MOVER, DeadLetterReason, deadLetterSubject } from "./dead-letters.ts";
export { specsOfDomain } from "./domain-topology.ts";
export type { BusMode, DomainStreamSpec, StreamNames } from "./domains.ts";
export {
  DOMAIN_LOCAL_SUBJECTS,
  domainOf,
  domainStreamSpecs,
  HUB_DOMAIN,
  LeafStreams,
  streamNamesOf,
} from "./domains.ts";
export type { TopologyDifference } from "./errors.ts";
export {
  CaseLedgerUnreachableError,
  ConcurrencyConflictError,
  NotFoundError,
  PermissionDeniedError,
  TimeoutError,
  TopologyConflictError,
} from "./errors.ts";
export type { Following, FollowQuery } from "./follow.ts";
export type { BatchOptions, BatchOutcome, Published, PublishOptions } from "./publish.ts";
export { messageIdOf } from "./publish.ts";
export type { Acknowledgement, NoticeRef, Receipt, ReceiptReport } from "./receipts.ts";
export type { ReplayedEvent, ReplayQuery } from "./replay.ts";
export type { Store, StoredValue, StoreOptions } from "./store.ts";
export type { ConsumerReport, SourceReport, StreamReport } from "./streams-report.ts";
export type { Delivery, Handler, Later, SubscribeOptions, Subscription } from "./subscribe.ts";
export type { TopologyOptions } from "./topology.ts";
export { Buckets, Streams, streamSpecs } from "./topology.ts";
