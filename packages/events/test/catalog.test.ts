import { describe, expect, it } from "vitest";
import {
  currentDefinitions,
  type EventInput,
  EventValidationError,
  examples,
  prepareEvent,
  TongbaoEventSchema,
  validateEvent,
} from "../src/index.ts";

const issuesOf = (input: EventInput): { path: string; message: string }[] => {
  try {
    prepareEvent(input);
  } catch (error) {
    expect(error).toBeInstanceOf(EventValidationError);
    return [...(error as EventValidationError).issues];
  }
  throw new Error(`expected ${input.type} to be rejected`);
};

const pathsOf = (input: EventInput) => issuesOf(input).map((i) => i.path);

const withData = <T extends keyof typeof examples>(type: T, patch: Record<string, unknown>): EventInput => ({
  ...examples[type],
  data: { ...examples[type].data, ...patch },
});

describe("every type of the catalog", () => {
  it.each(currentDefinitions.map((d) => [d.type, d] as const))("%s: its example is accepted", (type) => {
    const event = prepareEvent(examples[type]);
    expect(event.type).toBe(type);
    expect(event.specversion).toBe("1.0");
    expect(event.status).toBe("actual");
    expect(event.dataschema).toBe(`urn:tongbao:schema:${type}:v${event.dataversion}`);
    expect(validateEvent(JSON.parse(JSON.stringify(event)))).toEqual(event);
  });

  it.each(currentDefinitions.map((d) => [d.type, d] as const))(
    "%s: each missing required field is named",
    (type, d) => {
      const shape = (
        d.data as unknown as { shape: Record<string, { safeParse(v: unknown): { success: boolean } }> }
      ).shape;
      const required = Object.keys(shape).filter((key) => !shape[key]?.safeParse(undefined).success);
      expect(required.length).toBeGreaterThan(0);
      for (const key of required) {
        const data: Record<string, unknown> = { ...examples[type].data };
        delete data[key];
        expect(issuesOf({ ...examples[type], data })).toContainEqual({
          path: `data.${key}`,
          message: "is required",
        });
      }
    },
  );

  it.each(currentDefinitions.map((d) => [d.type] as const))(
    "%s: an unknown data field is refused",
    (type) => {
      expect(issuesOf(withData(type, { colour: "red" }))).toContainEqual({
        path: "data.colour",
        message: "is not a known attribute",
      });
    },
  );
});

describe("the envelope", () => {
  const example = examples["case.reported"];

  it.each(["a.b", "a*", ">", "a b", "", "tab\tkey"])(
    "refuses a key that would forge a subject token: %j",
    (subject) => {
      expect(pathsOf({ ...example, subject })).toEqual(["subject"]);
    },
  );

  it.each(["hang.zhou", "*", "Hangzhou", " hangzhou", ""])(
    "refuses an origin that is not a city id: %j",
    (origin) => {
      expect(pathsOf({ ...example, origin, source: "/cities/hangzhou/cases" })).toContain("origin");
    },
  );

  it("refuses an event id that would forge a receipt subject", () => {
    expect(pathsOf({ ...example, id: "abc.>" })).toEqual(["id"]);
  });

  it("reports every offending path at once, envelope and data together", () => {
    const input = {
      ...example,
      status: "drill",
      colour: "red",
      data: {
        ...example.data,
        classification: "probable",
        hospital: "",
        exposure: [{ city: "Bad City", from: "2020-13-01" }],
      },
    } as unknown as EventInput;
    expect(issuesOf(input)).toEqual([
      { path: "status", message: "must be one of: actual, exercise, test" },
      { path: "colour", message: "is not a known attribute" },
      { path: "data.classification", message: "must be one of: suspected, confirmed, asymptomatic" },
      { path: "data.exposure[0].city", message: expect.stringMatching(/must be a city id/) },
      { path: "data.exposure[0].from", message: "must be an ISO 8601 date, e.g. 2020-02-03" },
      { path: "data.hospital", message: "must not be empty" },
    ]);
  });

  it("names an unknown type and lists the known ones", () => {
    const [issue] = issuesOf({ ...example, type: "case.reportd" });
    expect(issue?.path).toBe("type");
    expect(issue?.message).toMatch(/not an event type of the catalog \(known: case\.reported, /);
  });

  it("refuses a time without a UTC offset", () => {
    expect(pathsOf({ ...example, time: "2020-02-11T09:30:00" })).toEqual(["time"]);
  });

  it("keeps exercise and test traffic marked", () => {
    expect(prepareEvent({ ...example, status: "exercise" }).status).toBe("exercise");
  });

  it("refuses a source that names another city", () => {
    expect(pathsOf({ ...example, source: "/cities/suzhou/cases" })).toEqual(["source"]);
  });

  it("never repeats the offending value in the error message", () => {
    const phone = "13812345678";
    const input = withData("trace.requested", {
      contacts: [
        { contactRef: phone, district: "shaoxing-zhuji", lastContactAt: "2020-02-01T19:00:00+08:00" },
      ],
    });
    try {
      prepareEvent(input);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain(phone);
      expect((error as Error).message).toContain("data.contacts[0].contactRef");
    }
  });
});

describe("typical mistakes, per type", () => {
  it.each([
    [
      "a phone number as a contact reference",
      withData("trace.requested", {
        contacts: [
          {
            contactRef: "c_13812345678901",
            district: "shaoxing-zhuji",
            lastContactAt: "2020-02-01T19:00:00+08:00",
          },
        ],
      }),
      "data.contacts[0].contactRef",
    ],
    [
      "an ID-card number as a pass holder",
      withData("pass.issued", { holderRef: "33010219800101123X" }),
      "data.holderRef",
    ],
    [
      "a pass that ends before it starts",
      withData("pass.issued", { validUntil: "2020-02-01T00:00:00+08:00" }),
      "data.validUntil",
    ],
    [
      "a merge without the checkpoint it merges into",
      withData("traffic.changed", { mergeInto: undefined }),
      "data.mergeInto",
    ],
    [
      "a contact moved on without saying where",
      withData("trace.answered", {
        answers: [{ contactRef: "c_4be0f1a9d2c3e8b7", outcome: "moved-on" }],
      }),
      "data.answers[0].movedTo",
    ],
    [
      "an 'other' supply without a description",
      withData("supply.requested", { item: "other" }),
      "data.description",
    ],
    ["a negative quantity", withData("supply.offered", { quantity: -5 }), "data.quantity"],
    ["a dispatch to the city it leaves", withData("supply.dispatched", { toCity: "suzhou" }), "data.toCity"],
    [
      "a policy that ends before it starts",
      withData("policy.changed", { effectiveUntil: "2020-02-01T00:00:00+08:00" }),
      "data.effectiveUntil",
    ],
    ["a reclassification to the same class", withData("case.reclassified", { to: "suspected" }), "data.to"],
    [
      "a transfer to the owner itself",
      withData("case.transferred", { newOwner: "hangzhou" }),
      "data.newOwner",
    ],
    ["a risk level that does not exist", withData("risk.changed", { level: "medium" }), "data.level"],
    [
      "a close-contact count that is not whole",
      withData("case.reported", {
        closeContacts: [{ cityOfResidence: "hangzhou", count: 1.5 }],
      }),
      "data.closeContacts[0].count",
    ],
  ] as const)("%s", (_, input, path) => {
    expect(pathsOf(input)).toContain(path);
  });

  it("directs a directed event to the data's target city", () => {
    expect(prepareEvent(examples["trace.requested"]).audience).toBe("shaoxing");
    expect(pathsOf({ ...examples["trace.requested"], audience: "suzhou" })).toEqual(["audience"]);
  });

  it("refuses an audience on a broadcast", () => {
    expect(pathsOf({ ...examples["case.reported"], audience: "suzhou" })).toEqual(["audience"]);
  });

  it("keeps overdue notices to Tongbao itself", () => {
    expect(pathsOf({ ...examples["notice.overdue"], origin: "hangzhou" })).toContain("type");
    expect(pathsOf({ ...examples["case.reported"], origin: "metro" })).toContain("origin");
  });
});

describe("the discriminated union over type", () => {
  it("accepts every complete example and picks the data schema by type", () => {
    for (const definition of currentDefinitions) {
      const event = prepareEvent(examples[definition.type]);
      expect(TongbaoEventSchema.parse(event).type).toBe(definition.type);
      const swapped = { ...event, type: definition.type === "pass.revoked" ? "pass.issued" : "pass.revoked" };
      expect(TongbaoEventSchema.safeParse(swapped).success).toBe(false);
    }
  });
});
