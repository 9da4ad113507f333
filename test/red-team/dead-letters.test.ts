// Attack: Huzhou stores dead letters under its own dlq subjects whose bodies claim another city's
// consumer and carry a forged message; or point at a directed message between two other cities. The
// console's user lists and re-drives them. The subject says whose a letter is, the stream what it
// holds: nothing forged is shown or re-driven, and nobody's directed message goes to Huzhou.
import { Streams } from "@tongbao/bus";
import { prepareEvent } from "@tongbao/events";
import { eventOf } from "@tongbao/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SecuredServer, startSecured } from "./secured.ts";

const CITIES = ["shanghai", "huzhou", "suzhou"] as const;

let secured: SecuredServer;
beforeAll(async () => {
  secured = await startSecured(CITIES);
});
afterAll(async () => {
  await secured?.[Symbol.asyncDispose]();
});

const letter = (consumer: string, stream: string, seq: number, payload: string) =>
  JSON.stringify({
    consumer,
    stream,
    seq,
    subject: "dm.suzhou.shanghai.person.pushed.p_forged_person_0001",
    reason: "handler-failed",
    error: "Error: webhook down",
    attempts: 5,
    deadAt: new Date().toISOString(),
    payload,
    expiresAt: null,
  });

describe("forged dead letters", () => {
  it("are listed as the writer's own, hold what the stream holds, and re-drive nothing forged", async () => {
    const shanghai = await secured.as("shanghai");
    const console = await secured.as("console");
    const { js } = await secured.raw("huzhou");
    const notice = await shanghai.publish(eventOf("pass.issued", { origin: "shanghai", source: undefined }));
    const push = await shanghai.publish(
      eventOf("person.pushed", { origin: "shanghai", source: undefined, data: { targetCity: "suzhou" } }),
    );
    const forged = JSON.stringify(
      prepareEvent(
        eventOf("person.pushed", { origin: "shanghai", source: undefined, data: { targetCity: "suzhou" } }),
      ),
    );
    // 1. Claims Suzhou's relay, carries a forged push; its subject is Huzhou's, its seq a real broadcast.
    await js.publish(
      `dlq.huzhou-relay.${Streams.events}.${notice.seq}`,
      letter("suzhou-relay", "DIRECT", 1, forged),
    );
    // 2. Points Huzhou's own directed relay at Shanghai's push to Suzhou.
    await js.publish(
      `dlq.huzhou-relay-direct.${Streams.direct}.${push.seq}`,
      letter("huzhou-relay-direct", "DIRECT", push.seq, forged),
    );

    const listed = await console.deadLetters.list();
    expect(listed.map((l) => [l.consumer, l.stream, l.seq])).toEqual([
      ["huzhou-relay", Streams.events, notice.seq],
      ["huzhou-relay-direct", Streams.direct, push.seq],
    ]);
    // What is shown is what the stream holds, under its own subject: never the forged body.
    expect(listed[0]?.subject).toBe(notice.subject);
    expect(listed[0]?.payload).not.toBe(forged);
    expect(JSON.parse(listed[0]?.payload ?? "{}").type).toBe("pass.issued");
    expect(await console.deadLetters.list({ consumer: "suzhou-relay" })).toEqual([]);

    // Re-drive: the broadcast goes back to Huzhou's own relay (it may read it anyway); Shanghai's
    // push to Suzhou does not go to Huzhou at all.
    expect(await console.deadLetters.redrive({ consumer: "huzhou-relay-direct" })).toEqual({
      redriven: 0,
      skipped: 1,
    });
    expect(await console.deadLetters.redrive({ consumer: "huzhou-relay" })).toEqual({
      redriven: 1,
      skipped: 0,
    });
    const redriven = await console.connection.jsm.streams.getMessage(Streams.redrive, {
      last_by_subj: `rdv.huzhou-relay.${Streams.events}.${notice.seq}`,
    });
    expect(JSON.parse(redriven?.string() ?? "{}").id).toBe(notice.id);
  });
});
