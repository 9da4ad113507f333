import { expect, it } from "vitest";
import { measureStandbyTakeover } from "./standby.ts";
import { report } from "./support.ts";

it("a standby relay takes over within seconds of the active one's kill -9, losing nothing, in order", {
  timeout: 120_000,
}, async () => {
  const takeover = await measureStandbyTakeover();
  report("standby relay takeover", {
    seconds: takeover.seconds,
    published: takeover.published,
    lost: takeover.lost,
    outOfOrder: takeover.outOfOrder,
  });
  expect(takeover.standbyLog).toContain("took over as the active relay");
  expect(takeover.lost).toBe(0);
  expect(takeover.outOfOrder).toBe(0);
  // The takeover time is 3 s; the server unpins within a pull's expiry of it.
  expect(takeover.seconds).toBeGreaterThan(0);
  expect(takeover.seconds).toBeLessThan(15);
});
