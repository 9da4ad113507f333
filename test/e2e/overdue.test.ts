// A city whose webhook is down: the watchdog raises one notice.overdue, and the city's recovery
// completes the receipts. Every service runs as its own process.
import { uniqueKey } from "@tongbao/testkit";
import { expect, it } from "vitest";
import { startMetro, waitFor } from "../support/metro.ts";

it("a city whose webhook is down makes the watchdog raise one notice.overdue; its recovery completes the receipts", async () => {
  await using m = await startMetro({ acknowledgeWithinSeconds: 2 });
  m.sink.setMode("wuxi", "down");
  const response = await m.api("hangzhou", "/v1/events", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      type: "policy.changed",
      subject: uniqueKey("HZ-POLICY"),
      data: {
        domain: "work",
        action: "resume",
        scope: { city: "hangzhou" },
        effectiveFrom: "2020-02-10T00:00:00+08:00",
        summary: "企业有序复工",
      },
    }),
  });
  expect(response.status).toBe(202);
  const { id } = (await response.json()) as { id: string };

  const overdue = await waitFor("the watchdog's notice.overdue", async () => {
    const r = await m.api("suzhou", `/v1/events?type=notice.overdue&key=hangzhou_${id}`);
    const { events } = (await r.json()) as { events: { data: { unacknowledged: string[] } }[] };
    return events.length > 0 ? events : undefined;
  });
  expect(overdue).toHaveLength(1);
  expect(overdue[0]?.data.unacknowledged).toEqual(["wuxi"]);

  m.sink.setMode("wuxi", "up");
  const receipts = await waitFor(
    "Wuxi's receipt after its recovery",
    async () => {
      const r = await m.api("hangzhou", `/v1/notices/${id}/receipts`);
      const body = (await r.json()) as { pending: string[]; acknowledged: { city: string }[] };
      return body.pending.length === 0 ? body : undefined;
    },
    60_000,
  );
  expect(receipts.acknowledged.map((a) => a.city)).toContain("wuxi");
  expect(m.sink.received("wuxi").filter((n) => n.id === id)).toHaveLength(1);
  // Still one overdue notice: the recovery does not raise another.
  const again = await m.api("suzhou", `/v1/events?type=notice.overdue&key=hangzhou_${id}`);
  expect(((await again.json()) as { events: unknown[] }).events).toHaveLength(1);
}, 120_000);
