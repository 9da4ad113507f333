import { describe, expect, it } from "vitest";
import { completeEvent, decodeEvent, EventValidationError, validateEvent } from "../src/index.ts";

const storedV1 = () =>
  JSON.parse(
    JSON.stringify(
      validateEvent(
        completeEvent({
          type: "risk.changed",
          dataversion: 1,
          origin: "hangzhou",
          subject: "hangzhou-xiaoshan",
          data: {
            level: "medium-2",
            effectiveFrom: "2020-02-10T00:00:00+08:00",
            measures:
              "closed management of communities; temperature checks at entrances；\n enterprises resume in order",
          },
        }),
      ),
    ),
  );

describe("risk.changed version 1 → 2", () => {
  it("a city can still publish version 1, and it is stored as version 1", () => {
    const stored = storedV1();
    expect(stored.dataversion).toBe(1);
    expect(stored.dataschema).toBe("urn:tongbao:schema:risk.changed:v1");
  });

  it("reads a stored version-1 event in the version-2 shape", () => {
    const event = decodeEvent(storedV1());
    expect(event.dataversion).toBe(2);
    expect(event.dataschema).toBe("urn:tongbao:schema:risk.changed:v2");
    expect(event.data).toEqual({
      level: "medium-2",
      effectiveFrom: "2020-02-10T00:00:00+08:00",
      measures: [
        "closed management of communities",
        "temperature checks at entrances",
        "enterprises resume in order",
      ],
    });
  });

  it("refuses a version that never existed", () => {
    expect(() =>
      decodeEvent({ ...storedV1(), dataversion: 7, dataschema: "urn:tongbao:schema:risk.changed:v7" }),
    ).toThrow(EventValidationError);
  });
});

describe("reading is tolerant where publishing is strict", () => {
  it("a reader accepts an attribute and a data field it does not know", () => {
    const stored = { ...storedV1(), newextension: "x", data: { ...storedV1().data, addedLater: true } };
    expect(() => validateEvent(stored)).toThrow(EventValidationError);
    expect(decodeEvent(stored).data).toMatchObject({ level: "medium-2" });
  });

  it("a reader still refuses a stored event that is wrong, not just newer", () => {
    expect(() => decodeEvent({ ...storedV1(), data: { level: "purple" } })).toThrow(EventValidationError);
  });
});
