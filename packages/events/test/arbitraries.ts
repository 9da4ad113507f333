// fast-check arbitraries drawn from the catalog's own zod schemas: a schema node the walker does not
// know fails loudly, so a new event type or field kind cannot slip past the property tests unseen.
import fc from "fast-check";
import type { z } from "zod";
import { type EventDefinition, type EventInput, EventStatus, METRO_ORIGIN } from "../src/index.ts";

// zod 4 keeps each schema's definition and checks under `_zod.def`; only the parts read here are typed.
interface CheckDef {
  readonly check: string;
  readonly format?: string;
  readonly pattern?: RegExp;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly value?: number;
  readonly inclusive?: boolean;
}
interface SchemaDef {
  readonly type: string;
  readonly format?: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly element?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly entries?: Record<string, string>;
  readonly values?: readonly unknown[];
  readonly checks?: readonly { readonly _zod: { readonly def: CheckDef } }[];
}
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
const checksOf = (def: SchemaDef) => (def.checks ?? []).map((c) => c._zod.def);

const CITY = /^[a-z][a-z0-9-]{0,39}$/;
const TOKEN = /^[A-Za-z0-9_-]{1,128}$/;
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

// Instants from 2000 to 2099, written with the offsets city systems send.
const instant = fc.date({
  min: new Date("2000-01-01T00:00:00Z"),
  max: new Date("2099-12-31T23:59:59Z"),
  noInvalidDate: true,
});
export const dateTime = fc
  .tuple(instant, fc.constantFrom("Z", "+08:00", "+00:00", "-05:30"), fc.boolean())
  .map(([d, offset, millis]) => {
    const iso = d.toISOString();
    return `${millis ? iso.slice(0, -1) : iso.slice(0, 19)}${offset}`;
  });
const date = instant.map((d) => d.toISOString().slice(0, 10));

// Free text as city systems write it: Chinese, Latin, punctuation, emoji; already trimmed, so that
// what comes back equals what was generated.
const textUnit = fc.oneof(
  fc.constantFrom(..."上海杭州绍兴嘉兴医院小区复工通行证口罩解除隔离，。（）"),
  fc.string({ minLength: 1, maxLength: 1 }),
  fc.constantFrom("🚑", "é", "\u00a0", "'", '"', "\\", "<", "&"),
);
const textOf = (min: number, max: number) =>
  fc
    .array(textUnit, { minLength: Math.max(min, 1), maxLength: Math.min(max, 40) })
    .map((units) => units.join("").trim())
    .filter((s) => s.length >= min && s.length <= max && s.length > 0);

const stringOf = (def: SchemaDef): fc.Arbitrary<string> => {
  if (def.format === "datetime") return dateTime;
  if (def.format === "date") return date;
  if (def.format !== undefined) throw new Error(`no arbitrary for string format ${def.format}`);
  const checks = checksOf(def);
  const regex = checks.find((c) => c.check === "string_format" && c.format === "regex")?.pattern;
  if (regex !== undefined) return fc.stringMatching(regex);
  const min = checks.find((c) => c.check === "min_length")?.minimum ?? 0;
  const max = checks.find((c) => c.check === "max_length")?.maximum ?? 200;
  return textOf(min, max);
};

const numberOf = (def: SchemaDef): fc.Arbitrary<number> => {
  const checks = checksOf(def);
  const integer = checks.some((c) => c.check === "number_format");
  const lower = checks.find((c) => c.check === "greater_than");
  if (integer) return fc.integer({ min: lower?.value ?? -1_000_000, max: 1_000_000 });
  return fc.double({ min: lower?.value ?? -1e9, max: 1e9, noNaN: true, noDefaultInfinity: true });
};

const arrayOf = (def: SchemaDef): fc.Arbitrary<unknown[]> => {
  const checks = checksOf(def);
  const min = checks.find((c) => c.check === "min_length")?.minimum ?? 0;
  const max = Math.min(checks.find((c) => c.check === "max_length")?.maximum ?? 4, min + 3);
  return fc.array(arbitraryOf(def.element as z.ZodType), { minLength: min, maxLength: max });
};

const objectOf = (def: SchemaDef): fc.Arbitrary<Record<string, unknown>> => {
  const shape = def.shape as Record<string, z.ZodType>;
  const required = Object.keys(shape).filter((key) => defOf(shape[key] as z.ZodType).type !== "optional");
  const fields = Object.fromEntries(
    Object.entries(shape).map(([key, field]) => [key, arbitraryOf(field)]),
  ) as Record<string, fc.Arbitrary<unknown>>;
  return fc.record(fields, { requiredKeys: required });
};

/** Values the schema accepts; refinements across fields (from ≠ to, until > from …) by filtering. */
export const arbitraryOf = (schema: z.ZodType): fc.Arbitrary<unknown> => {
  const def = defOf(schema);
  const base = ((): fc.Arbitrary<unknown> => {
    switch (def.type) {
      case "object":
        return objectOf(def);
      case "array":
        return arrayOf(def);
      case "optional":
        return arbitraryOf(def.innerType as z.ZodType);
      case "string":
        return stringOf(def);
      case "number":
        return numberOf(def);
      case "enum":
        return fc.constantFrom(...Object.values(def.entries ?? {}));
      case "literal":
        return fc.constantFrom(...(def.values ?? []));
      default:
        throw new Error(`no arbitrary for zod ${def.type}`);
    }
  })();
  return base.filter((value) => schema.safeParse(value).success);
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/** A publisher's input for one type: envelope attributes and data, everything the catalog accepts. */
export const eventInputOf = (definition: EventDefinition): fc.Arbitrary<EventInput> => {
  const origin =
    definition.publisher === "metro"
      ? fc.constant(METRO_ORIGIN)
      : fc.stringMatching(CITY).filter((city) => city !== METRO_ORIGIN);
  return fc
    .record(
      {
        origin,
        subject: fc.stringMatching(TOKEN),
        time: dateTime,
        status: fc.constantFrom(...EventStatus.options),
        correlationid: fc.stringMatching(TOKEN),
        causationid: fc.stringMatching(TOKEN),
        traceparent: fc.stringMatching(TRACEPARENT),
        data: arbitraryOf(definition.data),
      },
      { requiredKeys: ["origin", "subject", "time", "data"] },
    )
    .filter(({ origin, data }) => {
      const d = isObject(data) ? data : {};
      // Rules across the envelope and data: a directed event goes to another city; a case moves
      // to another city.
      if (definition.audience === "directed" && d.targetCity === origin) return false;
      if (definition.type === "case.transferred" && d.newOwner === origin) return false;
      return true;
    })
    .map((input) => ({ type: definition.type, ...input }));
};
