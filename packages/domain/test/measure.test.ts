import { policyDecider, RefusalKind, trafficDecider } from "@tongbao/domain";
import { prepareEvent } from "@tongbao/events";
import { eventOf } from "@tongbao/testkit";
import { describe, it } from "vitest";
import { given } from "./given.ts";

const metro = {
  hasCity: (city: string) => ["shanghai", "suzhou"].includes(city),
  cityOfDistrict: (d: string) =>
    d.startsWith("suzhou-") ? "suzhou" : d.startsWith("shanghai-") ? "shanghai" : undefined,
};
const policy = (
  origin: string,
  scope: { city: string; districts?: string[] },
  revises?: { eventId: string; kind: "update" | "cancel" },
) =>
  prepareEvent(
    eventOf("policy.changed", {
      origin,
      source: undefined,
      subject: "POLICY-SCHOOL",
      data: { scope, ...(revises && { revises }) },
    }),
  );

describe("the measure deciders (管控举措, 交通联动)", () => {
  it("keeps a policy's scope within its own city", () => {
    given(policyDecider, [], { metro })
      .when(policy("shanghai", { city: "shanghai", districts: ["shanghai-jiading"] }))
      .accepted();
    given(policyDecider, [], { metro })
      .when(policy("huzhou", { city: "shanghai" }))
      .refused(RefusalKind.notYours, /about shanghai: huzhou sets measures for itself only/);
    given(policyDecider, [], { metro })
      .when(policy("shanghai", { city: "shanghai", districts: ["suzhou-gusu"] }))
      .refused(RefusalKind.notYours, /district suzhou-gusu is suzhou's, not shanghai's/);
  });

  it("lets a later version name only an earlier event of the same measure and city", () => {
    const first = policy("shanghai", { city: "shanghai" });
    given(policyDecider, [first])
      .when(policy("shanghai", { city: "shanghai" }, { eventId: first.id, kind: "cancel" }))
      .accepted();
    given(policyDecider, [first])
      .when(policy("shanghai", { city: "shanghai" }, { eventId: "no-such-event", kind: "update" }))
      .refused(RefusalKind.unknown, /has no event no-such-event to update/);
    given(policyDecider, [first])
      .when(policy("shanghai", { city: "shanghai" }))
      .refused(RefusalKind.rule, /already exists: a new version names the event it updates or cancels/);
    // Another city's measure of the same id is its own: Suzhou's first version revises nothing.
    given(policyDecider, [first])
      .when(policy("suzhou", { city: "suzhou" }))
      .accepted();
    given(policyDecider, [first])
      .when(policy("suzhou", { city: "suzhou" }, { eventId: first.id, kind: "cancel" }))
      .refused(RefusalKind.unknown, /of suzhou has no event/);
  });

  it("keeps a traffic control in its own city, except a merged checkpoint across the border", () => {
    const traffic = (origin: string, action: "close" | "merge", city: string) =>
      eventOf("traffic.changed", {
        origin,
        source: undefined,
        data: {
          action,
          location: { city, description: "G50" },
          ...(action === "merge" && { mergeInto: "SZ-WJ-G50" }),
        },
      });
    given(trafficDecider, [], { metro })
      .when(traffic("suzhou", "close", "shanghai"))
      .refused(RefusalKind.notYours, /suzhou sets measures for itself only/);
    given(trafficDecider, [], { metro })
      .when(traffic("suzhou", "merge", "shanghai"))
      .accepted();
  });
});
