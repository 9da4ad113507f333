import {
  type Bus,
  connectBus,
  DOMAIN_LOCAL_SUBJECTS,
  NotFoundError,
  PermissionDeniedError,
} from "@tongbao/bus";
import type { EventType } from "@tongbao/events";
import { eventOf, startLeafMetro, uniqueKey } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { report, waitFor } from "./support.ts";

const CITIES = ["hangzhou", "suzhou", "ningbo"] as const;

// 首接负责制 across cities, each its own JetStream domain: a city decides an append from its inbox (the
// metro's view) and its outbox (what it said, at once); its outbox checks the append. No ledger.
describe("a leaf metro: case ownership decided from each city's inbox and outbox", () => {
  it("a case reported in Hangzhou and transferred to Suzhou is Suzhou's to append, everywhere; a cut-off owner keeps appending", async () => {
    await using metro = await startLeafMetro({ cities: CITIES, linkDeny: DOMAIN_LOCAL_SUBJECTS });
    await using hub = await connectBus({
      servers: metro.hub.urls,
      name: "hub",
      mode: { kind: "hub", cities: CITIES },
    });
    const buses: Partial<Record<string, Bus>> = {};
    for (const city of CITIES) {
      buses[city] = await connectBus({
        servers: metro.cities[city]?.url ?? "",
        name: `${city}-cases`,
        mode: { kind: "leaf", city },
      });
    }
    const bus = (city: string) => buses[city] as Bus;
    const caseId = uniqueKey("HZ");
    const append = <T extends EventType>(city: string, type: T, data?: Record<string, unknown>) =>
      bus(city).publish(
        eventOf(type, { subject: caseId, origin: city, source: undefined, ...(data && { data }) } as never),
      );
    const reclassify = (city: string) =>
      append(city, "case.reclassified", { from: "suspected", to: "confirmed" });
    /** A city acts on a case event once its inbox has it (and so the hub has it). */
    const arrived = (city: string, id: string) =>
      waitFor(`${city}'s inbox to have ${id}`, async () => {
        for await (const { event } of bus(city).replay({ key: caseId })) if (event.id === id) return true;
        return false;
      });
    try {
      await append("hangzhou", "case.reported");
      // Ningbo has not heard of the case yet: for Ningbo it does not exist.
      await expect(reclassify("ningbo")).rejects.toThrow(NotFoundError);
      const transfer = await append("hangzhou", "case.transferred", { newOwner: "suzhou" });
      // Hangzhou sees its own transfer in its outbox at once, before the hub has it.
      await expect(reclassify("hangzhou")).rejects.toThrow(/owned by suzhou/);
      await arrived("suzhou", transfer.id);

      const bySuzhou = await reclassify("suzhou");
      await arrived("hangzhou", bySuzhou.id);
      await arrived("ningbo", bySuzhou.id);
      await expect(reclassify("hangzhou")).rejects.toThrow(PermissionDeniedError);
      await expect(reclassify("ningbo")).rejects.toThrow(/owned by suzhou/);

      const suzhou = metro.cities.suzhou;
      if (suzhou === undefined) throw new Error("no suzhou");
      suzhou.cutLink();
      await waitFor("suzhou's link to be down", async () => !(await suzhou.isLinked()));
      // Cut off, Suzhou still owns the case: nobody else can have moved it, only Suzhou may.
      const startedAt = Date.now();
      const whileCut = await reclassify("suzhou");
      const appendMsWhileCut = Date.now() - startedAt;
      const closedWhileCut = await append("suzhou", "case.closed");
      await expect(reclassify("ningbo")).rejects.toThrow(/owned by suzhou/);

      const healedAt = Date.now();
      suzhou.healLink();
      await suzhou.waitLinked();
      await arrived("ningbo", closedWhileCut.id);
      const secondsToReachNingboAfterHeal = (Date.now() - healedAt) / 1000;

      const inHub: string[] = [];
      for await (const { event } of hub.replay({ key: caseId })) inHub.push(`${event.origin}:${event.type}`);
      report("leaf metro, case ownership across cities", {
        caseEventsInHub: inHub.length,
        appendMsWhileCut,
        secondsToReachNingboAfterHeal,
      });
      expect(inHub).toEqual([
        "hangzhou:case.reported",
        "hangzhou:case.transferred",
        "suzhou:case.reclassified",
        "suzhou:case.reclassified",
        "suzhou:case.closed",
      ]);
      expect(whileCut.duplicate).toBe(false);
    } finally {
      for (const city of CITIES) await buses[city]?.close();
    }
  });
});
