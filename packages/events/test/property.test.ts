// Property-based tests over the whole catalog, with events generated from its own zod schemas:
// whatever a city may publish comes back from the log exactly as it went in, and whatever is broken
// is refused with the path of what is broken.
// The round trip uses the bus and a real nats-server (test-only dependencies, resolved from the
// workspace root): the catalog itself stays pure.
import { type Bus, connectBus } from "@tongbao/bus";
import { type NatsServer, startNats } from "@tongbao/testkit";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  currentDefinitions,
  decodeEvent,
  type EventInput,
  EventValidationError,
  examples,
  prepareEvent,
  subjectOfValidEvent,
  type TongbaoEvent,
  validateEvent,
} from "../src/index.ts";
import { eventInputOf } from "./arbitraries.ts";

/** Runs per event type: pure checks are cheap; each bus round trip publishes and replays for real. */
const RUNS = { pure: 300, bus: 40, malformed: 300 } as const;

const types = currentDefinitions.map((d) => [d.type, d] as const);

let nats: NatsServer;
let bus: Bus;
beforeAll(async () => {
  nats = await startNats();
  bus = await connectBus({ servers: nats.url, name: "property-test" });
});
afterAll(async () => {
  await bus?.close();
  await nats?.[Symbol.asyncDispose]();
});

// Generated subjects may repeat across runs; a case may be reported only once, so each run's
// aggregate key is made unique (still a valid token).
let run = 0;
const unique = (input: EventInput): EventInput => ({
  ...input,
  // A district is its own city's (the risk decider): its id starts with the city's.
  subject: `${input.type === "risk.changed" ? `${input.origin}-` : ""}${input.subject.slice(0, 90)}-${(run++).toString(36)}`,
});

/**
 * The generated event made lawful, as the deciders require (packages/domain): a city speaks of its
 * own districts and measures, names districts of the cities it names, and dispatches its own supplies
 * (naming no request or offer that was never made).
 */
const lawful = (input: EventInput): EventInput => {
  const { origin } = input;
  const d = input.data as Record<string, unknown>;
  const inCity = (city: string, district: unknown) =>
    typeof district === "string" ? `${city}-${district}`.slice(0, 128) : district;
  const other = origin === "a" ? "b" : "a";
  switch (input.type) {
    case "trace.requested": {
      const target = d.targetCity as string;
      const contacts = (d.contacts as { district: string }[]).map((c) => ({
        ...c,
        district: inCity(target, c.district),
      }));
      return { ...input, data: { ...d, contacts } };
    }
    case "person.pushed":
      return { ...input, data: { ...d, district: inCity(d.targetCity as string, d.district) } };
    case "policy.changed": {
      const scope = d.scope as { districts?: string[] };
      const districts = scope.districts?.map((x) => inCity(origin, x));
      const { revises: _, ...rest } = d;
      return { ...input, data: { ...rest, scope: { city: origin, ...(districts && { districts }) } } };
    }
    case "traffic.changed": {
      const location = d.location as { district?: string };
      const { revises: _, ...rest } = d;
      return {
        ...input,
        data: {
          ...rest,
          location: {
            ...location,
            city: origin,
            ...(location.district && { district: inCity(origin, location.district) }),
          },
        },
      };
    }
    case "supply.requested": {
      const to = d.deliverTo as { city: string; district?: string } | undefined;
      return to?.district === undefined
        ? input
        : { ...input, data: { ...d, deliverTo: { ...to, district: inCity(to.city, to.district) } } };
    }
    case "supply.offered": {
      const { forRequest: _, ...rest } = d;
      return { ...input, data: rest };
    }
    case "supply.dispatched": {
      const { forRequest: _, offer: __, ...rest } = d;
      return {
        ...input,
        data: { ...rest, fromCity: origin, toCity: d.toCity === origin ? other : d.toCity },
      };
    }
    default:
      return input;
  }
};

/** What an event acts on must be there first, made by the same city: a case, a pass, a request. */
const makeWhatItActsOn = async (event: TongbaoEvent) => {
  if (event.type === "trace.answered") {
    const contacts = event.data.answers.map(({ contactRef }) => ({
      ...examples["trace.requested"].data.contacts[0],
      contactRef,
      district: `${event.origin}-d`,
    }));
    await bus.publish({
      ...examples["trace.requested"],
      origin: event.data.targetCity,
      subject: event.subject,
      status: event.status,
      data: { ...examples["trace.requested"].data, targetCity: event.origin, contacts },
    });
    return;
  }
  const maker =
    event.type.startsWith("case.") && event.type !== "case.reported"
      ? examples["case.reported"]
      : event.type === "pass.revoked"
        ? examples["pass.issued"]
        : undefined;
  if (maker === undefined) return;
  // A drill's events act only on a drill's aggregate: make it with the event's status.
  await bus.publish({ ...maker, origin: event.origin, subject: event.subject, status: event.status });
};

describe("valid events, generated from the catalog's schemas", () => {
  it.each(types)("%s: prepare → JSON → validate/decode gives the same event", (_type, definition) => {
    fc.assert(
      fc.property(eventInputOf(definition), (input) => {
        const event = prepareEvent(input);
        expect(event.data).toEqual(input.data);
        const wire = JSON.parse(JSON.stringify(event)) as unknown;
        expect(validateEvent(wire)).toEqual(event);
        expect(decodeEvent(wire, subjectOfValidEvent(event))).toEqual(event);
      }),
      { numRuns: RUNS.pure },
    );
  });

  it.each(types)("%s: publish → replay gives the same event", async (_type, definition) => {
    await fc.assert(
      fc.asyncProperty(eventInputOf(definition), async (generated) => {
        const event = prepareEvent(lawful(unique(generated)));
        await makeWhatItActsOn(event);
        const published = await bus.publish(event);
        expect(published.duplicate).toBe(false);
        const directed = event.audience !== undefined;
        const replayed = [];
        for await (const r of bus.replay({
          stream: directed ? "direct" : "events",
          ...(directed && { audience: event.audience }),
          fromSeq: published.seq,
          toSeq: published.seq,
        })) {
          replayed.push(r.event);
        }
        expect(replayed).toEqual([event]);
        expect(replayed[0]?.data).toEqual(lawful(generated).data);
      }),
      { numRuns: RUNS.bus },
    );
  });
});

// --- malformed events: one valid event, one thing broken, and the path that was broken ----------

type Json = unknown;
type Path = readonly (string | number)[];

const pathText = (path: Path) =>
  path.reduce<string>(
    (out, part) => (typeof part === "number" ? `${out}[${part}]` : out === "" ? part : `${out}.${part}`),
    "",
  );

/** Every place in a value: [path, value] for the value itself and everything inside it. */
const placesOf = (value: Json, path: Path = []): [Path, Json][] => {
  const inside = Array.isArray(value)
    ? value.flatMap((v, i) => placesOf(v, [...path, i]))
    : typeof value === "object" && value !== null
      ? Object.entries(value).flatMap(([k, v]) => placesOf(v, [...path, k]))
      : [];
  return [[path, value], ...inside];
};

// Built once: fast-check compiles a regex into an arbitrary, which is slow to repeat per run.
const anyString = fc.string();
const anyNumber = fc.oneof(fc.integer(), fc.double({ noNaN: true }));
const anyArray = fc.array(fc.string(), { maxLength: 2 });
const anyObject = fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.string(), { maxKeys: 2 });

/** A JSON value of another kind than `value`: no field of the catalog accepts two kinds. */
const wrongKindFor = (value: Json): fc.Arbitrary<Json> => {
  const kinds: fc.Arbitrary<Json>[] = [fc.constant(null)];
  if (typeof value !== "string") kinds.push(anyString);
  if (typeof value !== "number") kinds.push(anyNumber);
  if (typeof value !== "boolean") kinds.push(fc.boolean());
  if (!Array.isArray(value)) kinds.push(anyArray);
  if (typeof value !== "object" || value === null || Array.isArray(value)) kinds.push(anyObject);
  return fc.oneof(...kinds);
};

const setAt = (root: Json, path: Path, replace: (old: Json) => Json | typeof REMOVE): Json => {
  const copy = structuredClone(root) as Record<string | number, Json>;
  const parent = path
    .slice(0, -1)
    .reduce<Record<string | number, Json>>((node, part) => node[part] as Record<string | number, Json>, copy);
  const last = path[path.length - 1] as string | number;
  const next = replace(parent[last]);
  if (next === REMOVE) delete parent[last];
  else parent[last] = next;
  return copy;
};
const REMOVE = Symbol("remove");

// Attributes a publisher controls; the others are filled by the catalog when missing.
const ENVELOPE = ["type", "origin", "subject", "time", "status", "data"] as const;
// What may never reach a subject: dots, wildcards, whitespace, nothing at all.
const subjectPoison = fc.constantFrom(
  "a.b",
  "*",
  ">",
  "evt.>",
  "has space",
  "tab\there",
  "",
  "x".repeat(129),
);

// "x" and a capital: no attribute or field of the catalog is named like that.
const unknownName = fc.stringMatching(/^x[A-Z][a-z]{2,10}$/);

interface Mutation {
  readonly input: Json;
  /** The path the rejection must name. */
  readonly path: string;
  readonly what: string;
}

/** One valid event of `definition`, broken in one place. */
const malformedOf = (definition: (typeof currentDefinitions)[number]): fc.Arbitrary<Mutation> =>
  eventInputOf(definition).chain((valid) => {
    const input = prepareEvent(valid) as unknown as Json;
    const dataPlaces = placesOf((input as { data: Json }).data, ["data"]).slice(1);
    const objects = placesOf(input).filter(
      ([path, v]) =>
        typeof v === "object" && v !== null && !Array.isArray(v) && (path.length === 0 || path[0] === "data"),
    );
    const wrongKind = fc
      .constantFrom(
        ...dataPlaces,
        ...ENVELOPE.map((k): [Path, Json] => [[k], (input as Record<string, Json>)[k]]),
      )
      .chain(([path, old]) =>
        wrongKindFor(old).map(
          (v): Mutation => ({ input: setAt(input, path, () => v), path: pathText(path), what: "wrong kind" }),
        ),
      );
    // "x" and a capital: no attribute or field of the catalog is named like that.
    const unknownKey = fc.tuple(fc.constantFrom(...objects), unknownName).map(
      ([[path], key]): Mutation => ({
        input: setAt(input, [...path, key], () => "unexpected"),
        path: pathText([...path, key]),
        what: "unknown key",
      }),
    );
    const missing = fc
      .constantFrom(...ENVELOPE)
      .map((key): Mutation => ({ input: setAt(input, [key], () => REMOVE), path: key, what: "missing" }));
    const poisoned = fc
      .tuple(fc.constantFrom("subject", "id", "origin"), subjectPoison)
      .map(
        ([key, v]): Mutation => ({ input: setAt(input, [key], () => v), path: key, what: "subject token" }),
      );
    return fc.oneof(wrongKind, unknownKey, missing, poisoned);
  });

describe("malformed events, generated from valid ones", () => {
  it.each(types)("%s: the rejection names the path that was broken", (_type, definition) => {
    fc.assert(
      fc.property(malformedOf(definition), ({ input, path }) => {
        let error: unknown;
        try {
          validateEvent(input);
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(EventValidationError);
        const paths = (error as EventValidationError).issues.map((i) => i.path);
        expect(paths).toContain(path);
        // The message names paths, never the offending values (they may be personal data).
        expect((error as Error).message).not.toContain('"unexpected"');
      }),
      { numRuns: RUNS.malformed },
    );
  });
});
