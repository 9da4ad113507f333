// NATS users and their subject permissions, generated from the metro definition. Pure data: render.ts
// prints it as nats-server config. Minimal sets verified on 2.9.10 (../shared/docs/nats-facts.md) and
// by test/topology/permissions.test.ts.
import { Buckets, type StreamNames } from "@tongbao/bus";
import { METRO_ORIGIN } from "@tongbao/events";

export interface Permissions {
  readonly publish: { readonly allow: readonly string[]; readonly deny?: readonly string[] };
  readonly subscribe: { readonly allow: readonly string[] };
}

export interface NatsUser {
  readonly user: string;
  /** The environment variable the server reads the password from: never a value in the repository. */
  readonly passwordEnv: string;
  readonly permissions?: Permissions;
  readonly why: string;
}

/** The durable consumers a city's relay keeps (services/city-relay): `<city>-<service>`. */
export const CITY_SERVICES = ["relay", "relay-direct"] as const;
/** Metro services' durable consumers (services/watchdog). */
export const METRO_SERVICES = ["watchdog", "watchdog-traces"] as const;

const API = "$JS.API";
const REPLIES = { allow: ["_INBOX.>"] };
const KV_BUCKETS = [Buckets.caseOwners, Buckets.handled];

export const passwordEnvOf = (user: string) =>
  `NATS_PASSWORD_${user.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;

const userOf = (user: string, why: string, permissions?: Permissions): NatsUser => ({
  user,
  passwordEnv: passwordEnvOf(user),
  why,
  ...(permissions === undefined ? {} : { permissions }),
});

/** Read a stream through consumers: any filter, or only `filter` (then the name must be in the subject). */
const consume = (stream: string, filter?: string) => [
  ...(filter === undefined ? [`${API}.CONSUMER.CREATE.${stream}`, `${API}.CONSUMER.CREATE.${stream}.>`] : []),
  ...(filter === undefined ? [] : [`${API}.CONSUMER.CREATE.${stream}.*.${filter}`]),
  `${API}.CONSUMER.INFO.${stream}.*`,
  `${API}.CONSUMER.MSG.NEXT.${stream}.*`,
  `${API}.CONSUMER.DELETE.${stream}.*`,
  `$JS.ACK.${stream}.>`,
];

/** Another owner's durable consumers: nobody else may pull from, inspect or delete them. */
const othersDurables = (streams: readonly string[], durables: readonly string[]) =>
  streams.flatMap((stream) =>
    durables.flatMap((durable) => [
      `${API}.CONSUMER.MSG.NEXT.${stream}.${durable}`,
      `${API}.CONSUMER.INFO.${stream}.${durable}`,
      `${API}.CONSUMER.DELETE.${stream}.${durable}`,
      `${API}.CONSUMER.CREATE.${stream}.${durable}.>`,
      `$JS.ACK.${stream}.${durable}.>`,
    ]),
  );

const keyValue = [
  ...KV_BUCKETS.flatMap((bucket) => [
    `$KV.${bucket}.>`,
    `${API}.DIRECT.GET.KV_${bucket}.>`,
    `${API}.STREAM.MSG.GET.KV_${bucket}`,
  ]),
  `${API}.STREAM.INFO.*`,
  `${API}.INFO`,
];

/** The redrive consumer of a subscription (packages/bus redrive.ts): re-driven dead letters come back. */
const redrive = (durable: string) => [
  `${API}.CONSUMER.CREATE.REDRIVE.${durable}-redrive.rdv.${durable}.>`,
  `${API}.CONSUMER.INFO.REDRIVE.${durable}-redrive`,
  `${API}.CONSUMER.MSG.NEXT.REDRIVE.${durable}-redrive`,
  `$JS.ACK.REDRIVE.${durable}-redrive.>`,
];

/**
 * A city: publishes only under its own name (broadcasts, directed messages it sends, receipts it
 * records), reads broadcasts and only its own directed messages, uses only its own durable consumers.
 */
export const cityPermissions = (
  city: string,
  cities: readonly string[],
  streams: StreamNames,
): Permissions => {
  const others = [...cities.filter((c) => c !== city), METRO_ORIGIN];
  const durables = (owner: string) => CITY_SERVICES.map((service) => `${owner}-${service}`);
  return {
    publish: {
      allow: [
        `evt.${city}.>`,
        `dm.*.${city}.>`,
        `rcpt.*.*.${city}`,
        // A subscriber stores what it gave up on: dlq.<consumer>.<stream>.<seq>.
        ...durables(city).map((durable) => `dlq.${durable}.>`),
        ...keyValue,
        `${API}.DIRECT.GET.${streams.events}`,
        `${API}.DIRECT.GET.${streams.events}.>`,
        `${API}.DIRECT.GET.${streams.receipts}.>`,
        `${API}.DIRECT.GET.${streams.direct}.dm.${city}.>`,
        ...(streams.outbox === streams.events ? [] : [`${API}.DIRECT.GET.${streams.outbox}.>`]),
        ...consume(streams.events),
        ...consume(streams.direct, `dm.${city}.>`),
        ...durables(city).flatMap(redrive),
      ],
      deny: [
        ...othersDurables(
          [streams.events, streams.direct],
          [...others.flatMap(durables), ...METRO_SERVICES.map((s) => `${METRO_ORIGIN}-${s}`)],
        ),
      ],
    },
    subscribe: REPLIES,
  };
};

/** Duty officers: read and replay everything; no publish, no purge, no delete, no topology change. */
export const operatorPermissions = (): Permissions => ({
  publish: {
    allow: [
      `${API}.INFO`,
      `${API}.STREAM.INFO.*`,
      `${API}.STREAM.NAMES`,
      `${API}.STREAM.LIST`,
      `${API}.STREAM.MSG.GET.*`,
      `${API}.DIRECT.GET.>`,
      `${API}.CONSUMER.CREATE.>`,
      `${API}.CONSUMER.INFO.>`,
      `${API}.CONSUMER.NAMES.*`,
      `${API}.CONSUMER.LIST.*`,
      `${API}.CONSUMER.MSG.NEXT.>`,
    ],
    deny: [
      "evt.>",
      "dm.>",
      "rcpt.>",
      "dlq.>",
      "rdv.>",
      "$KV.>",
      `${API}.STREAM.CREATE.>`,
      `${API}.STREAM.UPDATE.>`,
      `${API}.STREAM.DELETE.>`,
      `${API}.STREAM.PURGE.>`,
      `${API}.STREAM.MSG.DELETE.>`,
      `${API}.CONSUMER.DELETE.>`,
    ],
  },
  subscribe: REPLIES,
});

const readEverything = (streams: StreamNames) => [
  ...keyValue,
  `${API}.DIRECT.GET.>`,
  ...consume(streams.events),
  ...consume(streams.direct),
  `${API}.STREAM.MSG.GET.*`,
];

/** Metro services, each what it needs. */
export const servicePermissions = (streams: StreamNames) => ({
  /** Ingest for every city (it maps each city's token to that city) and the query API. */
  gateway: {
    publish: { allow: ["evt.*.>", "dm.>", ...readEverything(streams)], deny: [`evt.${METRO_ORIGIN}.>`] },
    subscribe: REPLIES,
  },
  /** Folds broadcasts into read models it owns in KV, and may rebuild (drop and refill) them. */
  projector: {
    publish: {
      allow: [
        ...readEverything(streams),
        "$KV.>",
        `${API}.STREAM.CREATE.KV_*`,
        `${API}.STREAM.DELETE.KV_*`,
        `${API}.STREAM.NAMES`,
      ],
    },
    subscribe: REPLIES,
  },
  /** Raises overdue notices under the metro's name; reads receipts and every directed request. */
  watchdog: {
    publish: {
      allow: [
        `evt.${METRO_ORIGIN}.>`,
        ...readEverything(streams),
        ...METRO_SERVICES.flatMap((service) => [
          `dlq.${METRO_ORIGIN}-${service}.>`,
          ...redrive(`${METRO_ORIGIN}-${service}`),
        ]),
      ],
    },
    subscribe: REPLIES,
  },
});

/** Every user of one server that holds streams for the given cities. */
export const usersOf = (
  cities: readonly string[],
  allCities: readonly string[],
  streams: StreamNames,
  services: boolean,
) => [
  userOf("admin", "creates and updates the topology (pnpm start, deployment); never used by a service"),
  userOf("operator", "duty officers and the console: read and replay", operatorPermissions()),
  ...cities.map((city) =>
    userOf(city, `${city}'s systems and relay`, cityPermissions(city, allCities, streams)),
  ),
  ...(services
    ? Object.entries(servicePermissions(streams)).map(([name, permissions]) =>
        userOf(name, `the ${name} service`, permissions),
      )
    : []),
];
