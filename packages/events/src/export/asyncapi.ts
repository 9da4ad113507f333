import eventsPackage from "../../package.json" with { type: "json" };
import { allDefinitions, currentDefinition, currentDefinitions, isEventType } from "../catalog.ts";
import type { EventDefinition } from "../definition.ts";
import { METRO_ORIGIN } from "../formats.ts";
import { SubjectSpace } from "../subjects.ts";
import { EXAMPLE_ID, eventJsonSchema, exampleEvent, type JsonSchema, schemaName } from "./json-schema.ts";

// An AsyncAPI 3.0.0 document of the catalog, seen from a city: what it sends, what it receives.

interface Reference {
  readonly $ref: string;
}

interface Parameter {
  readonly description: string;
  readonly location: string;
  readonly enum?: string[];
  readonly examples?: string[];
}

interface Channel {
  readonly address: string;
  readonly title: string;
  readonly summary: string;
  readonly description: string;
  readonly parameters: Record<string, Parameter>;
  readonly messages: Record<string, Reference>;
}

interface Operation {
  readonly action: "send" | "receive";
  readonly channel: Reference;
  readonly summary: string;
  readonly messages: Reference[];
}

export interface AsyncApiDocument {
  readonly asyncapi: "3.0.0";
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly defaultContentType: string;
  readonly servers: Record<string, { host: string; protocol: string; description: string }>;
  readonly channels: Record<string, Channel>;
  readonly operations: Record<string, Operation>;
  readonly components: {
    readonly schemas: Record<string, JsonSchema>;
    readonly messages: Record<string, Record<string, unknown>>;
  };
}

const CLOUDEVENTS_JSON = "application/cloudevents+json";

const ref = ($ref: string): Reference => ({ $ref });
const versionsOf = (type: string) =>
  allDefinitions()
    .filter((d) => d.type === type)
    .sort((a, b) => b.version - a.version);
const exampleOf = (definition: EventDefinition) => {
  const example = isEventType(definition.type) ? exampleEvent(definition.type) : undefined;
  return example?.dataversion === definition.version ? example : undefined;
};

const address = ({ type, key, audience }: EventDefinition): string =>
  audience === "directed"
    ? `${SubjectSpace.direct}.{target}.{origin}.${type}.{${key}}`
    : `${SubjectSpace.events}.{origin}.${type}.{${key}}`;

const parameters = (definition: EventDefinition): Record<string, Parameter> => {
  const example = exampleOf(definition);
  const examples = (value: string | undefined) => (value === undefined ? {} : { examples: [value] });
  const metro = definition.publisher === "metro";
  return {
    ...(definition.audience === "directed"
      ? {
          target: {
            description:
              "The one city the message is for: the event's `audience`, equal to `data.targetCity`.",
            location: "$message.payload#/audience",
            ...examples(example?.audience),
          },
        }
      : {}),
    origin: {
      description: metro
        ? "Always `metro`: Tongbao raises this event itself."
        : "The city that published the event.",
      location: "$message.payload#/origin",
      ...(metro ? { enum: [METRO_ORIGIN] } : examples(example?.origin)),
    },
    [definition.key]: {
      description: `The aggregate key, the event's CloudEvents \`subject\`: a ${definition.key}.`,
      location: "$message.payload#/subject",
      ...examples(example?.subject),
    },
  };
};

const channel = (current: EventDefinition): Channel => ({
  address: address(current),
  title: current.type,
  summary: current.summary,
  description:
    current.audience === "directed"
      ? "Directed, on the DIRECT stream: only the target city and the origin may read it, and it expires with the stream's max age."
      : "Broadcast, on the EVENTS stream: every city may read it. One subject per aggregate keeps its events in order.",
  parameters: parameters(current),
  messages: Object.fromEntries(
    versionsOf(current.type).map((d) => {
      const name = schemaName(d.type, d.version);
      return [name, ref(`#/components/messages/${name}`)];
    }),
  ),
});

const message = (definition: EventDefinition, current: boolean): Record<string, unknown> => {
  const example = exampleOf(definition);
  return {
    name: definition.type,
    title: `${definition.type} v${definition.version}`,
    summary: definition.summary,
    ...(current
      ? {}
      : {
          description: "Still readable: stored events of this version are upcast to the current one on read.",
          deprecated: true,
        }),
    contentType: CLOUDEVENTS_JSON,
    tags: [{ name: definition.audience }],
    headers: {
      type: "object",
      properties: {
        "Nats-Msg-Id": {
          type: "string",
          description: "The event's `id`: JetStream stores a retried publish once.",
        },
      },
    },
    correlationId: {
      description: "Ties the events of one chain together.",
      location: "$message.payload#/correlationid",
    },
    payload: ref(`#/components/schemas/${schemaName(definition.type, definition.version)}`),
    ...(example === undefined
      ? {}
      : { examples: [{ headers: { "Nats-Msg-Id": EXAMPLE_ID }, payload: example }] }),
  };
};

const messageRefs = (type: string, definitions: readonly EventDefinition[]) =>
  definitions.map((d) => ref(`#/channels/${type}/messages/${schemaName(d.type, d.version)}`));

const operations = (current: EventDefinition): [string, Operation][] => {
  const channelRef = ref(`#/channels/${current.type}`);
  const receive: [string, Operation] = [
    `receive.${current.type}`,
    {
      action: "receive",
      channel: channelRef,
      summary:
        current.audience === "directed"
          ? `The target city receives ${current.type}.`
          : `Every city's subscribers receive ${current.type}.`,
      // A replay from the log may still hand out an older stored version.
      messages: messageRefs(current.type, versionsOf(current.type)),
    },
  ];
  if (current.publisher !== "city") return [receive];
  const send: [string, Operation] = [
    `send.${current.type}`,
    {
      action: "send",
      channel: channelRef,
      summary: `A city's system publishes ${current.type}.`,
      messages: messageRefs(current.type, [current]),
    },
  ];
  return [send, receive];
};

// AsyncAPI's default schema format is draft-07 based; the keywords zod emits here mean the same in
// both drafts, so only the 2020-12 `$schema` is left out.
const payloadSchema = (definition: EventDefinition): JsonSchema => {
  const { $schema: _dialect, ...schema } = eventJsonSchema(definition);
  return schema;
};

export const asyncApiDocument = (): AsyncApiDocument => {
  const all = allDefinitions();
  return {
    asyncapi: "3.0.0",
    info: {
      title: "Tongbao",
      version: eventsPackage.version,
      description:
        "通报 Tongbao: 一地发现、多地通报 — what one city finds, every city of the metro is told. City systems publish " +
        "CloudEvents on NATS JetStream: broadcasts under `evt.<origin>.<domain>.<action>.<key>` (stream EVENTS), " +
        "directed messages under `dm.<target>.<origin>.<domain>.<action>.<key>` (stream DIRECT). " +
        "This document describes a city: what it sends and what it receives. A city whose systems take webhooks " +
        "receives the same messages from its relay as structured-mode CloudEvents, one per request, or in CloudEvents' " +
        "JSON batch mode (`application/cloudevents-batch+json`) when its metro definition sets `delivery.batch`; " +
        "the gateway's OpenAPI document describes those requests (`webhooks.notice`).",
    },
    defaultContentType: CLOUDEVENTS_JSON,
    servers: {
      local: {
        host: "localhost:4222",
        protocol: "nats",
        description: "A local single-node nats-server with JetStream.",
      },
    },
    channels: Object.fromEntries(currentDefinitions.map((d) => [d.type, channel(d)])),
    operations: Object.fromEntries(currentDefinitions.flatMap(operations)),
    components: {
      schemas: Object.fromEntries(all.map((d) => [schemaName(d.type, d.version), payloadSchema(d)])),
      messages: Object.fromEntries(
        all.map((d) => [schemaName(d.type, d.version), message(d, currentDefinition(d.type) === d)]),
      ),
    },
  };
};
