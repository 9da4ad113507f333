import { eventOf } from "@tongbao/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, type SignedIn, signIn, startConsole, waitFor } from "./support.ts";

let h: Harness;
let operator: SignedIn;
beforeAll(async () => {
  h = await startConsole();
  operator = await signIn(h.url);
});
afterAll(async () => {
  await h?.[Symbol.asyncDispose]();
});

const json = async <T>(path: string) => (await (await operator.fetch(path)).json()) as T;
type Risk = { asOf: string; districts: { districtId: string; city: string; level: string }[] };

describe("what holds, now and as of a past moment", () => {
  it("draws the risk map now and as of a past moment", async () => {
    const risk = (level: "high" | "low-1", effectiveFrom: string) =>
      eventOf("risk.changed", {
        origin: "hangzhou",
        subject: "hangzhou-centre",
        time: effectiveFrom,
        data: { level, effectiveFrom },
      });
    await h.bus.publish(risk("high", "2020-02-03T00:00:00+08:00"));
    await h.bus.publish(risk("low-1", "2020-02-20T00:00:00+08:00"));
    await waitFor("the projector", async () => (await json<Risk>("/api/risk")).districts.length === 1);

    expect((await json<Risk>("/api/risk")).districts).toEqual([
      expect.objectContaining({ districtId: "hangzhou-centre", city: "hangzhou", level: "low-1" }),
    ]);
    const then = await json<Risk>(`/api/risk?asOf=${encodeURIComponent("2020-02-10T12:00:00+08:00")}`);
    expect(then.asOf).toBe("2020-02-10T04:00:00.000Z");
    expect(then.districts).toEqual([
      expect.objectContaining({ districtId: "hangzhou-centre", level: "high" }),
    ]);
    const before = await json<Risk>(`/api/risk?asOf=${encodeURIComponent("2020-02-01T00:00:00+08:00")}`);
    expect(before.districts).toEqual([]);

    const bad = await operator.fetch("/api/risk?asOf=yesterday");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      issues: [{ path: "asOf", message: expect.stringMatching(/ISO 8601/) }],
    });
  });

  it("checks a pass, lists the measures in effect and the open trace requests without their contacts", async () => {
    const pass = eventOf("pass.issued", {
      origin: "suzhou",
      data: {
        validFrom: "2020-02-01T00:00:00+08:00",
        validUntil: "2099-01-01T00:00:00+08:00",
        validIn: undefined,
      },
    });
    await h.bus.publish(pass);
    const policy = eventOf("policy.changed", { origin: "shaoxing" });
    await h.bus.publish(policy);
    const trace = eventOf("trace.requested", {
      origin: "hangzhou",
      data: { targetCity: "shaoxing", dueBy: "2020-02-12T18:00:00+08:00" },
    });
    await h.bus.publish(trace);

    const check = await waitFor("the pass", async () => {
      const answer = await json<{ status: string }>(`/api/passes/${pass.subject}?city=hangzhou`);
      return answer.status !== "unknown" && answer;
    });
    expect(check).toMatchObject({ passId: pass.subject, status: "valid", issuedBy: "suzhou" });
    expect((await operator.fetch("/api/passes/bad.id")).status).toBe(400);
    expect((await operator.fetch(`/api/passes/${pass.subject}?city=atlantis`)).status).toBe(400);

    const { measures } = await waitFor("the policy", async () => {
      const answer = await json<{ measures: { measureId: string }[] }>("/api/measures");
      return answer.measures.length > 0 && answer;
    });
    expect(measures).toEqual([
      expect.objectContaining({ kind: "policy", origin: "shaoxing", measureId: policy.subject }),
    ]);

    const { open } = await waitFor("the trace request", async () => {
      const answer = await json<{ open: unknown[] }>("/api/traces");
      return answer.open.length > 0 && answer;
    });
    expect(open).toEqual([
      {
        requestId: trace.subject,
        requester: "hangzhou",
        target: "shaoxing",
        caseId: expect.any(String),
        contacts: expect.any(Number),
        answered: 0,
        dueBy: "2020-02-12T18:00:00+08:00",
        overdue: true,
      },
    ]);
  });

  it("replays a time window into the page: exactly its events, capped", async () => {
    const at = (day: number) => `2020-01-${String(day).padStart(2, "0")}T10:00:00+08:00`;
    const published = [];
    for (const day of [5, 6, 7, 8, 9])
      published.push(await h.bus.publish(eventOf("supply.offered", { origin: "suzhou", time: at(day) })));
    const window = `since=${encodeURIComponent(at(6))}&until=${encodeURIComponent(at(9))}&type=supply.offered`;
    const replay = await json<{ events: { id: string }[]; truncated: boolean }>(`/api/replay?${window}`);
    expect(replay).toEqual({
      events: published.slice(1, 4).map(({ id }) => expect.objectContaining({ id })),
      truncated: false,
    });
    const capped = await json<{ events: unknown[]; truncated: boolean }>(`/api/replay?${window}&limit=2`);
    expect(capped).toMatchObject({
      truncated: true,
      events: [{ id: published[1]?.id }, { id: published[2]?.id }],
    });

    const backwards = await operator.fetch(
      `/api/replay?since=${encodeURIComponent(at(9))}&until=${encodeURIComponent(at(6))}`,
    );
    expect(await backwards.json()).toMatchObject({
      issues: [{ path: "until", message: "must be after since" }],
    });
    expect((await operator.fetch(`/api/replay?${window}&limit=99999`)).status).toBe(400);
  });
});
