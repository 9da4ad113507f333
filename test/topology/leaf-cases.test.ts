import {
  type Bus,
  connectBus,
  DOMAIN_LOCAL_SUBJECTS,
  PermissionDeniedError,
  TimeoutError,
} from "@tongbao/bus";
import type { EventType } from "@tongbao/events";
import { eventOf, startLeafMetro, uniqueKey } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { report, waitFor } from "./support.ts";

const CITIES = ["hangzhou", "suzhou", "ningbo"] as const;

describe("a leaf metro: one case ledger for the metro, in the hub's domain", () => {
  it("a case reported in Hangzhou and transferred to Suzhou is Suzhou's to append, everywhere; a cut-off city cannot move it", async () => {
    await using metro = await startLeafMetro({ cities: CITIES, linkDeny: DOMAIN_LOCAL_SUBJECTS });
    // The hub's services create the metro's ledger (the case-owners bucket in the hub's domain).
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
      const transfer = await append("hangzhou", "case.transferred", { newOwner: "suzhou" });
      await arrived("suzhou", transfer.id);

      // Suzhou's own domain never saw the case reported: only the metro's ledger knows it is Suzhou's.
      const bySuzhou = await reclassify("suzhou");
      await arrived("hangzhou", bySuzhou.id);
      await expect(reclassify("hangzhou")).rejects.toThrow(PermissionDeniedError);
      await expect(reclassify("ningbo")).rejects.toThrow(/owned by suzhou/);

      const suzhou = metro.cities.suzhou;
      if (suzhou === undefined) throw new Error("no suzhou");
      suzhou.cutLink();
      await waitFor("suzhou's link to be down", async () => !(await suzhou.isLinked()));
      const refusedAt = Date.now();
      const whileCut = await reclassify("suzhou").then(
        () => undefined,
        (error: unknown) => error,
      );
      const refusedMs = Date.now() - refusedAt;
      expect(whileCut).toBeInstanceOf(TimeoutError);
      expect(String(whileCut)).toMatch(/metro's case ledger .* is unreachable from suzhou/);
      const pass = await bus("suzhou").publish(
        eventOf("pass.issued", { origin: "suzhou", source: undefined }),
      );
      expect(pass.duplicate).toBe(false);

      const healedAt = Date.now();
      suzhou.healLink();
      await suzhou.waitLinked();
      let attempts = 0;
      let afterHeal: Awaited<ReturnType<typeof reclassify>> | undefined;
      await waitFor(
        "suzhou's append to go through after healing",
        async () => {
          attempts++;
          afterHeal = await reclassify("suzhou").catch((error: unknown) => {
            if (error instanceof TimeoutError) return undefined;
            throw error;
          });
          return afterHeal !== undefined;
        },
        20_000,
      );
      const secondsToAppendAfterHeal = (Date.now() - healedAt) / 1000;
      await arrived("ningbo", afterHeal?.id ?? "");

      const inHub: string[] = [];
      for await (const { event } of hub.replay({ key: caseId })) inHub.push(`${event.origin}:${event.type}`);
      report("leaf metro, case ownership across cities", {
        caseEventsInHub: inHub.length,
        refusedNotOwner: 2,
        cutOffRefusedInMs: refusedMs,
        cutOffError: (whileCut as Error).message,
        passIssuedWhileCut: 1,
        attemptsAfterHeal: attempts,
        secondsToAppendAfterHeal,
      });
      expect(inHub).toEqual([
        "hangzhou:case.reported",
        "hangzhou:case.transferred",
        "suzhou:case.reclassified",
        "suzhou:case.reclassified",
      ]);
    } finally {
      for (const city of CITIES) await buses[city]?.close();
    }
  });
});
