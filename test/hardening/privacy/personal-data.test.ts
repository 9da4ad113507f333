// No personal identifier in any broadcast event or any log line: the February 2020 scenario and
// directed messages full of personal details run through every service (each its own process, logging
// at debug), then the EVENTS stream and every log file are scanned.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { overdueKey, type TongbaoEvent } from "@tongbao/events";
import { uniqueKey } from "@tongbao/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenario } from "../../../infra/fixtures/load.ts";
import { logsOf, type RunningMetro, root, startMetro, waitFor } from "../../support/metro.ts";
import { findPersonalData, isResidentId } from "./personal-data.ts";

const FIXTURE = join(root, "infra/fixtures/yrd-2020-02.ndjson");

// What the directed messages of this run carry: details the target city needs, and no one else.
const planted = {
  name: "王晓明",
  phone: "+86 138 1234 5678",
  address: "绍兴市诸暨市暨阳街道示例路8号",
  personName: "李秀英",
  personPhone: "13912345678",
};

interface Details {
  readonly name?: string;
  readonly phone?: string;
  readonly address?: string;
}

/** The names, phones and addresses in the fixture's directed messages: none may travel further. */
const fixtureDetails = async (): Promise<string[]> => {
  const lines = (await readFile(FIXTURE, "utf8")).split("\n").filter((l) => l.trim() !== "");
  return lines.flatMap((line) => {
    const event = JSON.parse(line) as {
      audience?: string;
      data: { contacts?: { details?: Details }[]; details?: Details };
    };
    if (event.audience === undefined) return [];
    const details = [...(event.data.contacts ?? []).map((c) => c.details), event.data.details];
    return details
      .flatMap((d) => (d === undefined ? [] : [d.name, d.phone, d.address]))
      .filter((v) => v !== undefined);
  });
};

describe("the scanner", () => {
  it("finds phones, ID-card numbers, plates and names, and leaves ids, hashes and timestamps alone", () => {
    const found = (text: string) => findPersonalData(text).map((f) => f.kind);
    expect(found('{"msg":"delivered","phone":"13812345678"}')).toEqual(["phone"]);
    expect(found("call +86 138 1234 5678 or 86-139-8765-4321")).toEqual(["phone", "phone"]);
    expect(isResidentId("11010519491231002X")).toBe(true);
    expect(found("证件号 11010519491231002X")).toEqual(["id-card"]);
    expect(found("证件号 110105194912310021")).toEqual([]); // checksum wrong: not an ID number
    expect(found("车牌 沪A12345 与 浙B·12345，新能源 苏EA12345")).toEqual(["plate", "plate", "plate"]);
    expect(found('姓名：张三，"name":"李四"，王先生')).toEqual(["name", "name", "name"]);
    expect(
      found(
        '{"time":1795401598249,"id":"016ffe0c-0c00-77bf-99a5-002110477a4e","phoneHash":"45824905bb950cba4174b13812345678ece19b0636b3230d741ec8b5fc6dc3be2","name":"gateway","durationMs":0.15312345678,"hospital":"杭州市西溪医院"}',
      ),
    ).toEqual([]);
    expect(findPersonalData("地址：示例路8号", ["示例路8号"]).map((f) => f.kind)).toEqual(["known value"]);
  });
});

describe("an end-to-end run with personal details in directed messages", () => {
  let m: RunningMetro;
  let known: string[];
  let traceId: string;
  let traceEventId: string;
  beforeAll(async () => {
    known = [...(await fixtureDetails()), ...Object.values(planted)];
    // A short acknowledgement window and one city down: the watchdog raises relay.behind too.
    m = await startMetro({ acknowledgeWithinSeconds: 2, env: { LOG_LEVEL: "debug" } });
    m.sink.setMode("wuxi", "down");
    await loadScenario(m.bus, FIXTURE);
    traceId = uniqueKey("XC");
    const publish = async (city: string, event: object) => {
      const response = await m.api(city, "/v1/events", {
        method: "POST",
        headers: { "content-type": "application/cloudevents+json" },
        body: JSON.stringify(event),
      });
      expect(response.status).toBe(202);
      return ((await response.json()) as { id: string }).id;
    };
    traceEventId = await publish("hangzhou", {
      type: "trace.requested",
      subject: traceId,
      data: {
        targetCity: "shaoxing",
        caseId: "HZ-2020-0203-011",
        contacts: [
          {
            contactRef: "c_5e1f0a9b3d7c2e64",
            district: "shaoxing-zhuji",
            lastContactAt: "2020-02-01T19:00:00+08:00",
            details: { name: planted.name, phone: planted.phone, address: planted.address },
          },
        ],
        // Already due: the watchdog raises trace.overdue for it.
        dueBy: "2020-02-02T12:00:00+08:00",
      },
    });
    await publish("shanghai", {
      type: "person.pushed",
      subject: uniqueKey("P-SH"),
      data: {
        targetCity: "suzhou",
        district: "suzhou-kunshan",
        reason: "arrival-from-risk-area",
        arrivalAt: "2020-02-13T21:10:00+08:00",
        observeUntil: "2020-02-27",
        details: { name: planted.personName, phone: planted.personPhone },
      },
    });
    const noticeId = await publish("hangzhou", {
      type: "policy.changed",
      subject: uniqueKey("HZ-POLICY"),
      data: {
        domain: "work",
        action: "resume",
        scope: { city: "hangzhou" },
        effectiveFrom: "2020-02-10T00:00:00+08:00",
        summary: "企业有序复工",
      },
    });
    // Wait until the services have done their work on all of it, so their logs say so.
    await waitFor("the directed messages at their targets' webhooks", () =>
      m.sink.received("shaoxing").some((n) => n.id === traceEventId),
    );
    // Wuxi down while the whole scenario arrives: its relay is behind, said once with relay.behind
    // rather than a notice.overdue for each of its notices.
    await waitFor("the watchdog's relay.behind and trace.overdue", async () => {
      const behind = [];
      for await (const { event } of m.bus.replay({ origins: ["metro"], types: ["relay.behind"] }))
        behind.push(event);
      const late = await m.bus.lastEvent({
        origin: "metro",
        type: "trace.overdue",
        key: overdueKey("hangzhou", "shaoxing", traceId),
      });
      return behind.some((e) => e.type === "relay.behind" && e.data.city === "wuxi") && late !== null;
    });
    expect(
      await m.bus.lastEvent({
        origin: "metro",
        type: "notice.overdue",
        key: overdueKey("hangzhou", noticeId),
      }),
    ).toBeNull();
  }, 180_000);
  afterAll(async () => {
    await m?.[Symbol.asyncDispose]();
  });

  const broadcasts = async () => {
    const events: TongbaoEvent[] = [];
    for await (const { event } of m.bus.replay({ stream: "events" })) events.push(event);
    return events;
  };

  it("the directed messages do carry the details (so a leak would have something to leak)", async () => {
    const directed = [];
    for await (const { event } of m.bus.replay({ stream: "direct", audience: "*" })) directed.push(event);
    const text = JSON.stringify(directed);
    expect(findPersonalData(text, known).map((f) => f.match)).toEqual(
      expect.arrayContaining([planted.name, planted.phone, planted.personPhone]),
    );
  });

  it("no broadcast event holds a personal identifier", async () => {
    const events = await broadcasts();
    expect(events.length).toBeGreaterThan(60);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(["relay.behind", "trace.overdue"]));
    const leaks = events.flatMap((event) =>
      findPersonalData(JSON.stringify(event), known).map(
        (f) => `${event.type} ${event.id}: ${f.kind} ${f.match}`,
      ),
    );
    console.log(`privacy: scanned ${events.length} broadcast events`);
    expect(leaks).toEqual([]);
  });

  it("no log line of any service holds a personal identifier", async () => {
    const logs = await logsOf(m);
    const lines = logs.split("\n").filter((l) => l.trim() !== "");
    // The services were at work, at debug level: the relays logged deliveries, the watchdog its notices.
    expect(lines.length).toBeGreaterThan(100);
    expect(logs).toContain(traceEventId);
    const leaks = lines.flatMap((line) =>
      findPersonalData(line, known).map((f) => `${f.kind} ${f.match}: ${line.slice(0, 160)}`),
    );
    console.log(
      `privacy: scanned ${lines.length} log lines of ${Object.keys(m.services.opsUrls).length} services`,
    );
    expect(leaks).toEqual([]);

    // Negative control: the same scan over the same lines plus one careless line finds it.
    const careless = JSON.stringify({ level: 30, msg: "delivered", to: planted.personPhone });
    expect(findPersonalData([...lines, careless].join("\n"), known).map((f) => f.kind)).toContain("phone");
  });
});
