import type { MetroView } from "@tongbao/domain";
import type { EventInput, SubjectParts } from "@tongbao/events";
import { type Connection, type ConnectOptions, openConnection } from "./connect.ts";
import { createDeadLetterAdmin, type DeadLetterAdmin } from "./dead-letter-admin.ts";
import { startDeadLetterMover } from "./dead-letters.ts";
import { type Following, type FollowQuery, follow } from "./follow.ts";
import { createHandledLog } from "./handled.ts";
import { type ConsumerLag, deliveryLag, relayLag } from "./lag.ts";
import { type EventByIdQuery, eventById, lastEvent, lastSeq } from "./lookup.ts";
import {
  type ConsumerPause,
  deliveryPauses,
  type PauseTarget,
  pauseDeliveries,
  resumeDeliveries,
} from "./pause.ts";
import {
  createPublisher,
  type ManyOptions,
  type Published,
  type PublishOptions,
  type PublishOutcome,
  publishMany,
} from "./publish.ts";
import { type BatchOptions, publishBatch } from "./publish-batch.ts";
import { type NoticeRef, type Receipt, type ReceiptReport, receiptsOf, recordReceipt } from "./receipts.ts";
import { type ReplayedEvent, type ReplayQuery, replay } from "./replay.ts";
import { openStore, type Store, type StoreOptions } from "./store.ts";
import { type StreamReport, streamsReport } from "./streams-report.ts";
import { type SubscribeOptions, type Subscription, subscribe } from "./subscribe.ts";
import { ensureTopology } from "./topology/ensure.ts";
import type { TopologyOptions } from "./topology/specs.ts";

/** Tongbao's bus: everything a city system, a subscriber service or an operator does on NATS. */
export interface Bus extends AsyncDisposable {
  /**
   * Validate, fill defaults, ask the aggregate's decider (who may say this about it), store; resolves
   * once JetStream acknowledged. A refusal says why: PermissionDeniedError (not yours),
   * NotFoundError (unknown), ConcurrencyConflictError, RuleViolationError.
   */
  publish(input: EventInput, options?: PublishOptions): Promise<Published>;
  /** At most 1,000 events stored as one: all of them or none, each decided as publish decides. */
  publishBatch(inputs: readonly EventInput[], options?: BatchOptions): Promise<Published[]>;
  /** Many events one by one, a bounded number in flight; one outcome per event, in order. */
  publishMany(inputs: Iterable<EventInput>, options?: ManyOptions): Promise<PublishOutcome[]>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /**
   * Holds a subscription's deliveries until `until` (a receiver under maintenance): nothing is
   * delivered, retried or dead-lettered meanwhile; what waits comes afterwards, in order.
   */
  pauseDeliveries(target: PauseTarget, until: Date): Promise<ConsumerPause[]>;
  resumeDeliveries(target: PauseTarget): Promise<ConsumerPause[]>;
  deliveryPauses(target: PauseTarget): Promise<ConsumerPause[]>;
  /** What waits on each of a subscription's consumers, and since when (NotFound: never subscribed). */
  deliveryLag(target: PauseTarget): Promise<ConsumerLag[]>;
  /** The same for both subscriptions of a city's relay, broadcasts and directed messages. */
  relayLag(city: string): Promise<ConsumerLag[]>;
  replay(query?: ReplayQuery): AsyncGenerator<ReplayedEvent>;
  /** History from a sequence on, then the live feed, without end: for read models with checkpoints. */
  follow(query?: FollowQuery): Promise<Following>;
  /** The latest event on one aggregate's subject (directed when `audience` is set), or null. */
  lastEvent(parts: SubjectParts): Promise<ReplayedEvent | null>;
  /** The first event with an id stored between two moments (no index: read near that time), or null. */
  eventById(query: EventByIdQuery): Promise<ReplayedEvent | null>;
  /** The last sequence stored in a stream (0 when it holds nothing): what "caught up" means. */
  lastSeq(stream: "events" | "direct"): Promise<number>;
  /** A JSON key-value bucket, created when missing. */
  openStore<T>(bucket: string, options?: StoreOptions): Promise<Store<T>>;
  recordReceipt(receipt: Receipt): Promise<{ duplicate: boolean }>;
  receipts(notice: NoticeRef, expectedCities: readonly string[]): Promise<ReceiptReport>;
  /** Moves max-deliveries and terminated messages into DEADLETTER; run it in one service. */
  startDeadLetterMover(): Promise<{ stop(): Promise<void> }>;
  /** Operators' view of DEADLETTER: list, show, re-drive (once each), drop. */
  readonly deadLetters: DeadLetterAdmin;
  /** Every stream: size, consumers with their backlogs, sources with how long since last heard. */
  streamsReport(): Promise<StreamReport[]>;
  ensureTopology(options?: TopologyOptions): Promise<void>;
  /** True while connected to a server (false while reconnecting). */
  isConnected(): boolean;
  /** Drains (finishing what is in flight) and closes the connection. */
  close(): Promise<void>;
  readonly connection: Connection;
  /** The metro's cities and districts as this bus was given them: what the deciders check. */
  readonly metro?: MetroView;
}

export interface BusOptions extends ConnectOptions {
  /** Ensure the streams and buckets at connect time (default true). */
  readonly topology?: TopologyOptions | false;
  /** The metro's cities and districts, so that deciders check the ones an event names. */
  readonly metro?: MetroView;
}

export const connectBus = async (options: BusOptions): Promise<Bus> => {
  const conn = await openConnection(options);
  try {
    if (options.topology !== false) await ensureTopology(conn, options.topology ?? {});
  } catch (error) {
    await conn.nc.close();
    throw error;
  }
  const context = options.metro === undefined ? {} : { metro: options.metro };
  const publisher = createPublisher(conn, context);
  const handled = createHandledLog(conn);
  const close = async () => {
    if (conn.nc.isClosed()) return;
    // Draining needs the server; without it (it is gone, or we are reconnecting) just close.
    await conn.nc.drain().catch(() => conn.nc.close());
    await conn.nc.closed();
  };
  return {
    connection: conn,
    ...(options.metro !== undefined && { metro: options.metro }),
    publish: publisher.publish,
    publishBatch: (inputs, batchOptions) => publishBatch(conn, context, inputs, batchOptions),
    publishMany: (inputs, manyOptions) => publishMany(publisher.publish, inputs, manyOptions),
    subscribe: (subscribeOptions) => subscribe(conn, handled, subscribeOptions, context),
    pauseDeliveries: (target, until) => pauseDeliveries(conn, target, until),
    resumeDeliveries: (target) => resumeDeliveries(conn, target),
    deliveryPauses: (target) => deliveryPauses(conn, target),
    deliveryLag: (target) => deliveryLag(conn, target),
    relayLag: (city) => relayLag(conn, city),
    replay: (query) => replay(conn, query),
    follow: (query) => follow(conn, query),
    lastEvent: (parts) => lastEvent(conn, parts),
    eventById: (query) => eventById(conn, query),
    lastSeq: (stream) => lastSeq(conn, stream),
    openStore: <T>(bucket: string, storeOptions?: StoreOptions) => openStore<T>(conn, bucket, storeOptions),
    recordReceipt: (receipt) => recordReceipt(conn, receipt),
    receipts: (notice, expected) => receiptsOf(conn, notice, expected),
    startDeadLetterMover: () => startDeadLetterMover(conn),
    deadLetters: createDeadLetterAdmin(conn),
    streamsReport: () => streamsReport(conn),
    ensureTopology: (topology) => ensureTopology(conn, topology),
    isConnected: conn.isConnected,
    close,
    [Symbol.asyncDispose]: close,
  };
};
