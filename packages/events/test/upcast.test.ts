import { describe, expect, it } from "vitest";
import {
  completeEvent,
  decodeEvent,
  EventValidationError,
  ImpersonationError,
  validateEvent,
} from "../src/index.ts";

const RISK = "evt.hangzhou.risk.changed.hangzhou-xiaoshan";

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
    const event = decodeEvent(storedV1(), RISK);
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
      decodeEvent({ ...storedV1(), dataversion: 7, dataschema: "urn:tongbao:schema:risk.changed:v7" }, RISK),
    ).toThrow(EventValidationError);
  });
});

describe("reading is tolerant where publishing is strict", () => {
  it("a reader accepts an attribute and a data field it does not know", () => {
    const stored = { ...storedV1(), newextension: "x", data: { ...storedV1().data, addedLater: true } };
    expect(() => validateEvent(stored)).toThrow(EventValidationError);
    expect(decodeEvent(stored, RISK).data).toMatchObject({ level: "medium-2" });
  });

  it("a reader still refuses a stored event that is wrong, not just newer", () => {
    expect(() => decodeEvent({ ...storedV1(), data: { level: "purple" } }, RISK)).toThrow(
      EventValidationError,
    );
  });
});

describe("who said it is the subject it was stored under, not the body", () => {
  it("refuses a body that names another origin than its subject, naming what disagrees", () => {
    const forged = { ...storedV1(), source: "/cities/shanghai/cms", origin: "shanghai" };
    expect(() => decodeEvent(forged, RISK)).toThrow(ImpersonationError);
    expect(() => decodeEvent(forged, RISK)).toThrow(
      "origin: disagrees with the subject it was stored under (origin hangzhou)",
    );
  });

  it("refuses a broadcast body stored under a directed subject, and another key", () => {
    expect(() => decodeEvent(storedV1(), "dm.shanghai.hangzhou.risk.changed.hangzhou-xiaoshan")).toThrow(
      "audience: disagrees with the subject it was stored under (target shanghai)",
    );
    expect(() => decodeEvent(storedV1(), "evt.hangzhou.risk.changed.hangzhou-binjiang")).toThrow(
      "subject: disagrees with the subject it was stored under (key hangzhou-binjiang)",
    );
    expect(() => decodeEvent(storedV1(), "rdv.x.y.1")).toThrow("which is no Tongbao event subject");
  });

  it("runs the publisher's rules across attributes that a raw client skips", () => {
    const lying = { ...storedV1(), source: "/cities/shanghai/cms" };
    expect(() => decodeEvent(lying, RISK)).toThrow("source: must name the origin city");
    expect(() => decodeEvent(lying, RISK)).not.toThrow(ImpersonationError);
  });
});
