// Attack: a city writes or reads state that is another's — the watchdog's handled marks (to silence
// its own overdue alarm), the receipts of directed notices between two other cities, the list of
// every dead letter's subject. Huzhou's own generated user, with a raw client.
import { Buckets, Streams } from "@tongbao/bus";
import { eventOf } from "@tongbao/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SecuredServer, startSecured } from "./secured.ts";

const CITIES = ["shanghai", "huzhou", "hangzhou"] as const;
const DENIED = /permission|denied|violation/i;

let secured: SecuredServer;
beforeAll(async () => {
  secured = await startSecured(CITIES);
});
afterAll(async () => {
  await secured?.[Symbol.asyncDispose]();
});

/** A request Huzhou's raw client makes; resolves with what the server answered or how it refused. */
const attempt = async (run: () => Promise<unknown>): Promise<string> => {
  try {
    await run();
    return "allowed";
  } catch (error) {
    return String((error as Error).message ?? error);
  }
};

describe("no state one city can write or read for another", () => {
  it("refuses Huzhou writing or reading the watchdog's handled marks, and lets it keep its own", async () => {
    const { nc, js } = await secured.raw("huzhou");
    const silence = `$KV.${Buckets.handled}.metro-watchdog-traces.shanghai.XC-SH-2020-01`;
    expect(await attempt(() => js.publish(silence, "1"))).toMatch(DENIED);
    const peek = `$JS.API.DIRECT.GET.KV_${Buckets.handled}.$KV.${Buckets.handled}.metro-watchdog.shanghai.x`;
    expect(await attempt(() => nc.request(peek, "", { timeout: 2_000 }))).toMatch(DENIED);
    // A get by body could name any key: not Huzhou's to make.
    const byBody = `$JS.API.STREAM.MSG.GET.KV_${Buckets.handled}`;
    const body = JSON.stringify({ last_by_subj: `$KV.${Buckets.handled}.metro-watchdog.shanghai.x` });
    expect(await attempt(() => nc.request(byBody, body, { timeout: 2_000 }))).toMatch(DENIED);
    // Its own relay's marks are its own.
    await expect(
      js.publish(`$KV.${Buckets.handled}.huzhou-relay.shanghai.some-event`, "1"),
    ).resolves.toBeTruthy();
  });

  it("refuses Huzhou reading receipts of directed notices between Shanghai and Hangzhou", async () => {
    const shanghai = await secured.as("shanghai");
    const hangzhou = await secured.as("hangzhou");
    await hangzhou.recordReceipt({
      notice: { origin: "shanghai", id: "push-to-hangzhou-1" },
      receiver: "hangzhou",
    });
    // Shanghai sees who has its notice; Huzhou may not ask.
    expect(
      (await shanghai.receipts({ origin: "shanghai", id: "push-to-hangzhou-1" }, ["hangzhou"])).pending,
    ).toEqual([]);
    const huzhou = await secured.as("huzhou");
    await expect(
      huzhou.receipts({ origin: "shanghai", id: "push-to-hangzhou-1" }, ["hangzhou"]),
    ).rejects.toThrow(DENIED);
    // Its own notices' receipts it reads.
    await expect(
      huzhou.receipts({ origin: "huzhou", id: "own-notice" }, ["shanghai"]),
    ).resolves.toMatchObject({
      pending: ["shanghai"],
    });
  });

  it("refuses Huzhou listing the subjects of every city's directed messages, their copies and the read models", async () => {
    const shanghai = await secured.as("shanghai");
    const push = await shanghai.publish(
      eventOf("person.pushed", { origin: "shanghai", data: { targetCity: "hangzhou" } }),
    );
    const { nc } = await secured.raw("huzhou");
    // The stream list answers ends and max age and lists no subjects: it takes no subjects filter.
    const listOf = (body: unknown) =>
      nc.request("$JS.API.STREAM.LIST", JSON.stringify(body), { timeout: 2_000 });
    expect((await listOf({ subjects_filter: ">" })).string()).toMatch(/unknown field \\"subjects_filter/);
    const list = (await listOf({})).string();
    expect(list).toContain(`"name":"${Streams.direct}"`);
    expect(list).not.toContain(push.subject);
    // Its own directed messages it still replays to the end.
    const huzhou = await secured.as("huzhou");
    const own = [];
    for await (const read of huzhou.replay({ stream: "direct", audience: "huzhou" })) own.push(read);
    expect(own).toEqual([]);
    expect(await huzhou.lastSeq("direct")).toBeGreaterThanOrEqual(push.seq);
    for (const stream of [
      Streams.direct,
      Streams.deadLetters,
      Streams.redrive,
      "KV_rm-notices",
      "KV_rm-traces",
    ]) {
      const info = `$JS.API.STREAM.INFO.${stream}`;
      const listing = JSON.stringify({ subjects_filter: ">" });
      expect(await attempt(() => nc.request(info, listing, { timeout: 2_000 }))).toMatch(DENIED);
    }
  });
});
