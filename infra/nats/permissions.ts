// NATS users and their subject permissions, generated from the metro definition. Pure data: render.ts
// prints it as nats-server config. Minimal sets verified (../shared/docs/nats-facts.md) and
// by test/topology/permissions.test.ts (cities, operators), service-permissions.test.ts (services) and
// leaf-services-permissions.test.ts (a city's own services on its leaf).
import {
  Buckets,
  ConsumerServices,
  Consumers,
  HUB_DOMAIN,
  linkDeliveryOf,
  type StreamNames,
  Streams,
  streamNamesOf,
} from "@tongbao/bus";
import { METRO_ORIGIN } from "@tongbao/events";
import {
  CHECKPOINT_BUCKET,
  measuresModel,
  noticesModel,
  passesModel,
  readModels,
  riskModel,
  tracesModel,
} from "@tongbao/projections";

export interface Permissions {
  readonly publish: { readonly allow: readonly string[]; readonly deny?: readonly string[] };
  readonly subscribe: { readonly allow: readonly string[]; readonly deny?: readonly string[] };
}

export interface NatsUser {
  readonly user: string;
  /** The environment variable the server reads the password from: never a value in the repository. */
  readonly passwordEnv: string;
  readonly permissions?: Permissions;
  readonly why: string;
}

/** The durable consumers a city's relay keeps (services/city-relay): `<city>-<service>`. */
export const CITY_SERVICES = [ConsumerServices.relay, ConsumerServices.relayDirect] as const;
/** Metro services' durable consumers (services/watchdog). */
export const METRO_SERVICES = [
  ConsumerServices.watchdog,
  ConsumerServices.watchdogTraces,
  ConsumerServices.watchdogDirect,
] as const;
const DEAD_LETTER_MOVER = Consumers.deadLetterMover;

const API = "$JS.API";
const metroDurables = METRO_SERVICES.map((service) => Consumers.of(METRO_ORIGIN, service));
const REPLIES = { allow: ["_INBOX.>"] };

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
      ...steer(stream, durable),
      `$JS.ACK.${stream}.${durable}.>`,
    ]),
  );

/**
 * Steering one's own durable (packages/bus pinned-pull.ts): a standby that takes over resets it to
 * its ack floor and a stopping instance gives up its pin; a city pauses its relay for maintenance.
 */
const steer = (stream: string, durable: string) => [
  `${API}.CONSUMER.RESET.${stream}.${durable}`,
  `${API}.CONSUMER.UNPIN.${stream}.${durable}`,
  `${API}.CONSUMER.PAUSE.${stream}.${durable}`,
];

/** Takeovers counted per consumer and ack floor (packages/bus takeovers.ts): one's own keys only. */
const countTakeovers = (durables: readonly string[]) =>
  durables.flatMap((durable) =>
    [durable, Consumers.redriveOf(durable)].flatMap((consumer) => [
      `$KV.${Buckets.takeovers}.${consumer}.>`,
      `${API}.DIRECT.GET.KV_${Buckets.takeovers}.$KV.${Buckets.takeovers}.${consumer}.>`,
    ]),
  );

/**
 * The handled marks of one's own consumers (packages/bus handled.ts: `<consumer>.<origin>.<id>`):
 * written and read by key, never another owner's — a city that could mark the watchdog's would
 * silence its own overdue alarm. The KV client asks for the bucket's and the account's info.
 */
const handledMarks = (durables: readonly string[]) => [
  ...durables.flatMap((durable) => [
    `$KV.${Buckets.handled}.${durable}.>`,
    `${API}.DIRECT.GET.KV_${Buckets.handled}.$KV.${Buckets.handled}.${durable}.>`,
  ]),
  `${API}.STREAM.INFO.KV_${Buckets.handled}`,
  `${API}.INFO`,
];

/**
 * Streams whose info a city reads: the log's ends (replay, follow), an original's max age (its dead
 * letter's expiry), the buckets it opens. Named one by one: an info request lists every subject a
 * stream holds (subjects_filter), so not the streams that hold every city's directed messages or
 * their copies — who sent what to whom — nor the read models' buckets. DIRECT's ends and max age
 * come from the stream list, which lists no subjects (packages/bus stream-info.ts).
 */
const streamInfo = (streams: StreamNames) =>
  [
    ...new Set([
      streams.events,
      streams.outbox,
      streams.receipts,
      `KV_${Buckets.handled}`,
      `KV_${Buckets.takeovers}`,
    ]),
  ]
    .map((stream) => `${API}.STREAM.INFO.${stream}`)
    .concat(`${API}.STREAM.LIST`);

/** The redrive consumer of a subscription (packages/bus redrive.ts): re-driven dead letters come back. */
const redrive = (durable: string) => [
  `${API}.CONSUMER.CREATE.${Streams.redrive}.${Consumers.redriveOf(durable)}.rdv.${durable}.>`,
  `${API}.CONSUMER.INFO.${Streams.redrive}.${Consumers.redriveOf(durable)}`,
  `${API}.CONSUMER.MSG.NEXT.${Streams.redrive}.${Consumers.redriveOf(durable)}`,
  ...steer(Streams.redrive, Consumers.redriveOf(durable)),
  `$JS.ACK.${Streams.redrive}.${Consumers.redriveOf(durable)}.>`,
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
  const durables = (owner: string) => CITY_SERVICES.map((service) => Consumers.of(owner, service));
  return {
    publish: {
      allow: [
        `evt.${city}.>`,
        `dm.*.${city}.>`,
        `rcpt.*.*.${city}`,
        // A subscriber stores what it gave up on: dlq.<consumer>.<stream>.<seq>.
        ...durables(city).map((durable) => `dlq.${durable}.>`),
        ...handledMarks(durables(city)),
        ...streamInfo(streams),
        `${API}.DIRECT.GET.${streams.events}`,
        `${API}.DIRECT.GET.${streams.events}.>`,
        // The leader's answer where a replica may lag (a replay's end, packages/bus replay-end.ts);
        // broadcasts are every city's to read. DIRECT's would not be: its gets are by subject only.
        `${API}.STREAM.MSG.GET.${streams.events}`,
        // Receipts of its own notices, and its own receipts: never who else received what directed.
        `${API}.DIRECT.GET.${streams.receipts}.rcpt.${city}.>`,
        `${API}.DIRECT.GET.${streams.receipts}.rcpt.*.*.${city}`,
        `${API}.DIRECT.GET.${streams.direct}.dm.${city}.>`,
        ...readOutbox(streams),
        ...consume(streams.events),
        ...consume(streams.direct, `dm.${city}.>`),
        ...durables(city).flatMap(redrive),
        ...[streams.events, streams.direct].flatMap((stream) =>
          durables(city).flatMap((durable) => steer(stream, durable)),
        ),
        ...countTakeovers(durables(city)),
      ],
      deny: [
        ...othersDurables([streams.events, streams.direct], [...others.flatMap(durables), ...metroDurables]),
      ],
    },
    subscribe: REPLIES,
  };
};

/** Cities' durable consumers: a metro service may neither pull from them nor delete them. */
const cityDurables = (cities: readonly string[]) =>
  cities.flatMap((city) => CITY_SERVICES.map((service) => Consumers.of(city, service)));

const OPERATOR_ALLOW = [
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
];
const OPERATOR_DENY = [
  "evt.>",
  "dm.>",
  "rcpt.>",
  "dlq.>",
  "$KV.>",
  `${API}.STREAM.CREATE.>`,
  `${API}.STREAM.UPDATE.>`,
  `${API}.STREAM.DELETE.>`,
  `${API}.STREAM.PURGE.>`,
  `${API}.CONSUMER.DELETE.>`,
];
/** A durable's messages are its owner's: an operator who pulled them would hold them from it. */
const pullFrom = (streams: StreamNames, durables: readonly string[]) =>
  [streams.events, streams.direct].flatMap((stream) =>
    durables.map((durable) => `${API}.CONSUMER.MSG.NEXT.${stream}.${durable}`),
  );

/** Duty officers: read and replay everything; no publish, no purge, no delete, no topology change. */
export const operatorPermissions = (streams: StreamNames, cities: readonly string[]): Permissions => ({
  publish: {
    allow: OPERATOR_ALLOW,
    deny: [
      ...OPERATOR_DENY,
      "rdv.>",
      `${API}.STREAM.MSG.DELETE.>`,
      ...pullFrom(streams, [...cityDurables(cities), ...metroDurables]),
    ],
  },
  subscribe: REPLIES,
});

/**
 * The operators' console (and `tongbao dlq redrive|drop`): what operators read, and dead letters
 * re-driven (published once each to rdv.<consumer>.<stream>.<seq>) or dropped from DEADLETTER. The
 * console logs the signed-in operator's name with each re-drive and drop.
 */
export const consolePermissions = (streams: StreamNames, cities: readonly string[]): Permissions => ({
  publish: {
    allow: [...OPERATOR_ALLOW, "rdv.>", `${API}.STREAM.MSG.DELETE.${Streams.deadLetters}`],
    deny: [...OPERATOR_DENY, ...pullFrom(streams, [...cityDurables(cities), ...metroDurables])],
  },
  subscribe: REPLIES,
});

/**
 * A bucket's values: its stream's info, gets (direct, or through the stream API for a bucket opened
 * rather than created), and its keys. The KV client asks for the account's JetStream info
 * ($JS.API.INFO) when it opens a bucket.
 */
const kvRead = (bucket: string) => [
  `${API}.INFO`,
  `${API}.STREAM.INFO.KV_${bucket}`,
  `${API}.DIRECT.GET.KV_${bucket}.>`,
  `${API}.STREAM.MSG.GET.KV_${bucket}`,
  // keys(): an ordered consumer, named and filtered in its subject, never acknowledged
  `${API}.CONSUMER.CREATE.KV_${bucket}.>`,
  `${API}.CONSUMER.INFO.KV_${bucket}.*`,
  `${API}.CONSUMER.MSG.NEXT.KV_${bucket}.*`,
  `${API}.CONSUMER.DELETE.KV_${bucket}.*`,
];
const kvWrite = (bucket: string) => [...kvRead(bucket), `$KV.${bucket}.>`];
/** A bucket the user owns: it makes it, and drops it to rebuild (a subject token names one bucket). */
const kvOwn = (bucket: string) => [
  ...kvWrite(bucket),
  `${API}.STREAM.CREATE.KV_${bucket}`,
  // allow_atomic, turned on for its batched writes (packages/bus store.ts putMany)
  `${API}.STREAM.UPDATE.KV_${bucket}`,
  `${API}.STREAM.DELETE.KV_${bucket}`,
];

/** The projector's buckets: one per read model, and the checkpoints. */
const READ_MODEL_BUCKETS = [...readModels.map((m) => m.bucket), CHECKPOINT_BUCKET];
/** The read models the gateway and the console query (`openReadModels` of @tongbao/projections). */
const QUERIED_BUCKETS = [passesModel, riskModel, noticesModel, measuresModel, tracesModel].map(
  (m) => m.bucket,
);

/** Every broadcast and every directed message: replay, follow, last event, last sequence. */
const readLog = (streams: StreamNames) => [
  `${API}.STREAM.INFO.${streams.events}`,
  `${API}.STREAM.INFO.${streams.direct}`,
  // DIRECT's ends and max age, as packages/bus stream-info.ts reads them for every user
  `${API}.STREAM.LIST`,
  `${API}.DIRECT.GET.${streams.events}`,
  `${API}.DIRECT.GET.${streams.events}.>`,
  `${API}.DIRECT.GET.${streams.direct}`,
  `${API}.DIRECT.GET.${streams.direct}.>`,
  `${API}.STREAM.MSG.GET.${streams.events}`,
  `${API}.STREAM.MSG.GET.${streams.direct}`,
  ...consume(streams.events),
  ...consume(streams.direct),
];
const readReceipts = (streams: StreamNames) => [`${API}.DIRECT.GET.${streams.receipts}.>`];
/**
 * Where a publisher reads an aggregate's events before appending (packages/bus aggregates.ts): its
 * own outbox, besides the metro's view it reads anyway (a batch get takes the bare subject).
 */
const readOutbox = (streams: StreamNames) =>
  streams.outbox === streams.events
    ? []
    : [`${API}.DIRECT.GET.${streams.outbox}`, `${API}.DIRECT.GET.${streams.outbox}.>`];

/**
 * The dead-letter mover the watchdog runs (packages/bus dead-letters.ts): reads the server's
 * max-deliveries and terminated advisories, fetches the original message, and stores a dead letter
 * for whichever consumer gave up on it.
 */
const moveDeadLetters = (streams: StreamNames) => [
  `${API}.CONSUMER.CREATE.${Streams.advisories}.${DEAD_LETTER_MOVER}`,
  `${API}.CONSUMER.CREATE.${Streams.advisories}.${DEAD_LETTER_MOVER}.>`,
  `${API}.CONSUMER.INFO.${Streams.advisories}.${DEAD_LETTER_MOVER}`,
  `${API}.CONSUMER.MSG.NEXT.${Streams.advisories}.${DEAD_LETTER_MOVER}`,
  `$JS.ACK.${Streams.advisories}.${DEAD_LETTER_MOVER}.>`,
  `${API}.STREAM.MSG.GET.${streams.events}`,
  `${API}.STREAM.MSG.GET.${streams.direct}`,
  `${API}.STREAM.MSG.GET.${Streams.redrive}`,
  "dlq.>",
];

const allowOnce = (subjects: readonly string[]) => [...new Set(subjects)];

/**
 * Reading how far each city's relay is behind (packages/bus lag.ts): its consumers' info, never
 * their messages. The watchdog says relay.behind once instead of an overdue notice per waiting one.
 */
const inspectRelays = (streams: StreamNames, cities: readonly string[]) =>
  cityDurables(cities).flatMap((durable) => [
    `${API}.CONSUMER.INFO.${streams.events}.${durable}`,
    `${API}.CONSUMER.INFO.${streams.direct}.${durable}`,
    `${API}.CONSUMER.INFO.${Streams.redrive}.${Consumers.redriveOf(durable)}`,
  ]);

/** Metro services, each what its real work needs (test/topology/service-permissions.test.ts). */
export const servicePermissions = (streams: StreamNames, cities: readonly string[]) => {
  const logOnly = (durables: readonly string[]) => othersDurables([streams.events, streams.direct], durables);
  return {
    /** Ingest for every city (it maps each city's token to that city) and the query API. */
    gateway: {
      publish: {
        allow: allowOnce([
          "evt.*.>",
          "dm.*.*.>",
          ...QUERIED_BUCKETS.flatMap(kvRead),
          ...readLog(streams),
          ...readReceipts(streams),
          ...readOutbox(streams),
        ]),
        deny: [
          `evt.${METRO_ORIGIN}.>`,
          `dm.*.${METRO_ORIGIN}.>`,
          ...logOnly([...cityDurables(cities), ...metroDurables]),
        ],
      },
      subscribe: REPLIES,
    },
    /** Folds broadcasts and directed messages into the read models it owns, and rebuilds them. */
    projector: {
      publish: {
        allow: allowOnce([...READ_MODEL_BUCKETS.flatMap(kvOwn), ...readLog(streams)]),
        deny: logOnly([...cityDurables(cities), ...metroDurables]),
      },
      subscribe: REPLIES,
    },
    /**
     * Raises overdue notices under the metro's name; reads receipts and every directed request; moves
     * what any consumer gave up on into DEADLETTER.
     */
    watchdog: {
      publish: {
        allow: allowOnce([
          `evt.${METRO_ORIGIN}.>`,
          ...handledMarks(metroDurables),
          ...readLog(streams),
          ...readReceipts(streams),
          ...readOutbox(streams),
          ...metroDurables.flatMap(redrive),
          ...[streams.events, streams.direct].flatMap((stream) =>
            metroDurables.flatMap((durable) => steer(stream, durable)),
          ),
          ...countTakeovers(metroDurables),
          ...moveDeadLetters(streams),
          ...inspectRelays(streams, cities),
        ]),
        deny: logOnly(cityDurables(cities)).filter(
          (subject) => !inspectRelays(streams, cities).includes(subject),
        ),
      },
      subscribe: REPLIES,
    },
  };
};

/**
 * A city's own gateway and projector on its leaf node (services/gateway with NATS_MODE=leaf): publish
 * only under the city's name, into its outboxes; read its inboxes (INBOX_DIRECT holds only what is
 * addressed to the city, so it is read unfiltered like the hub's DIRECT), its receipts and its outbox;
 * own the read-model buckets on the leaf. No relay's durable, not even the city's own.
 */
export const cityServicesPermissions = (
  city: string,
  cities: readonly string[],
  streams: StreamNames,
): Permissions => ({
  publish: {
    allow: allowOnce([
      `evt.${city}.>`,
      `dm.*.${city}.>`,
      ...READ_MODEL_BUCKETS.flatMap(kvOwn),
      ...readLog(streams),
      ...readReceipts(streams),
      ...readOutbox(streams),
    ]),
    deny: othersDurables([streams.events, streams.direct], [...cityDurables(cities), ...metroDurables]),
  },
  subscribe: REPLIES,
});

export const cityServicesUserOf = (city: string) => `${city}-services`;

/** Every user of one server that holds streams for the given cities. */
export const usersOf = (
  cities: readonly string[],
  allCities: readonly string[],
  streams: StreamNames,
  services: boolean,
) => [
  userOf("admin", "creates and updates the topology (pnpm start, deployment); never used by a service"),
  userOf("operator", "duty officers and scripts: read and replay", operatorPermissions(streams, allCities)),
  ...cities.map((city) =>
    userOf(city, `${city}'s systems and relay`, cityPermissions(city, allCities, streams)),
  ),
  ...(services
    ? [
        userOf(
          "console",
          "the operators' console (and tongbao dlq redrive|drop): read, replay, re-drive and drop dead letters",
          consolePermissions(streams, allCities),
        ),
        ...Object.entries(servicePermissions(streams, allCities)).map(([name, permissions]) =>
          userOf(name, `the ${name} service`, permissions),
        ),
      ]
    : []),
];

/** Every user of a city's leaf node: the city's own, and its own gateway's and projector's. */
export const leafUsersOf = (city: string, allCities: readonly string[], hubDomain = HUB_DOMAIN) => {
  const streams = streamNamesOf({ kind: "leaf", city, hubDomain });
  return [
    ...usersOf([city], allCities, streams, false),
    userOf(
      cityServicesUserOf(city),
      `${city}'s own gateway and projector on its leaf node`,
      cityServicesPermissions(city, allCities, streams),
    ),
  ];
};

export const leafUserOf = (city: string) => `leaf-${city}`;

/**
 * A city's leaf link on the hub: the leaf's streams source the hub's EVENTS, the receipts of the
 * city's own notices and its own receipts, and its own directed messages; the hub sources the
 * leaf's outboxes. The link user is the leaf's whole reach into the hub — whoever runs the leaf (its
 * admin, a changed config) speaks through it — so it is an allow-list of exactly what stream
 * sourcing sends (nats-server's stream.go): consumer creates with the city's own filters in the
 * subject, deliveries under the city's own prefixes (linkDeliveryOf), flow control, create replies,
 * and the hub's requests to the leaf's own API. Nothing else: no gets, no infos or lists, no
 * Tongbao subjects as plain messages either way, no other leaf's API (which would let it answer for
 * another city's outbox). Left open, as the sourcing protocol names no city in them: create replies
 * ($JSC.R) and flow control ($JS.FC) — a forged one can stall a source, not read or write a message.
 */
export const leafLinkPermissions = (city: string, hubDomain = HUB_DOMAIN): Permissions => {
  const create = (stream: string) => `$JS.${hubDomain}.API.CONSUMER.CREATE.${stream}`;
  const sourcing = ["$JSC.R.>", "$JS.FC.>"];
  return {
    publish: {
      allow: [
        // INBOX sources every broadcast: the unfiltered create, its config in the body.
        create(Streams.events),
        `${create(Streams.direct)}.*.dm.${city}.>`,
        `${create(Streams.receipts)}.*.rcpt.${city}.>`,
        `${create(Streams.receipts)}.*.rcpt.*.*.${city}`,
        `${linkDeliveryOf(city, "up")}.>`,
        ...sourcing,
      ],
    },
    subscribe: {
      allow: [`$JS.${city}.API.>`, `${linkDeliveryOf(city, "down")}.>`, "$LDS.>", ...sourcing],
    },
  };
};

/** The hub's users for the cities' leaf links, with the permissions above. */
export const leafLinkUsersOf = (cities: readonly string[], hubDomain = HUB_DOMAIN) =>
  cities.map((city) =>
    userOf(
      leafUserOf(city),
      `${city}'s leaf link: its streams' sources, nothing else`,
      leafLinkPermissions(city, hubDomain),
    ),
  );
