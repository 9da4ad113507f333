import { describe, expect, it } from "vitest";
import { fast } from "../src/fast.ts";
import {
  currentDefinitions,
  examples,
  legacyDefinitions,
  prepareEvent,
  strictEnvelope,
} from "../src/index.ts";

// Publish and replay validate through zod's compiled clones; they must agree with the plain schemas
// on every input, valid or not, or a wrong event could slip through the fast path.
const variants = (value: Record<string, unknown>): unknown[] => {
  const out: unknown[] = [value];
  for (const key of Object.keys(value)) {
    const { [key]: _, ...without } = value;
    out.push(without);
    for (const wrong of [null, 42, "", "x.y", ["a"], { a: 1 }, "2020-02-30T00:00:00+08:00", -1, "  "]) {
      out.push({ ...value, [key]: wrong });
    }
  }
  out.push({ ...value, unknownField: true });
  return out;
};

describe("the compiled fast path", () => {
  it.each(currentDefinitions.map((d) => [d.type, d] as const))(
    "agrees with zod on %s data",
    (type, definition) => {
      for (const input of variants(examples[type].data as Record<string, unknown>)) {
        const plain = definition.data.safeParse(input);
        const quick = fast(definition.data).safeParse(input);
        expect(quick.success).toBe(plain.success);
        if (plain.success) expect(quick.data).toEqual(plain.data);
      }
    },
  );

  it("agrees with zod on the envelope", () => {
    for (const type of currentDefinitions.map((d) => d.type)) {
      for (const input of variants(prepareEvent(examples[type]) as unknown as Record<string, unknown>)) {
        expect(fast(strictEnvelope).safeParse(input).success).toBe(strictEnvelope.safeParse(input).success);
      }
    }
  });

  it("agrees with zod on legacy versions", () => {
    const [riskV1] = legacyDefinitions;
    const input = { level: "high", effectiveFrom: "2020-02-10T00:00:00+08:00", measures: "a; b" };
    for (const variant of variants(input)) {
      expect(fast(riskV1.data).safeParse(variant).success).toBe(riskV1.data.safeParse(variant).success);
    }
  });
});
