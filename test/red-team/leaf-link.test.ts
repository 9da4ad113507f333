// Attack: Hangzhou's leaf node — its admin, or a changed config — speaks to the hub through its leaf
// link: asks for Suzhou's directed messages (a direct get, consumers on DIRECT with another city's
// filter or a literal wildcard one, a durable), other cities' receipts, the list of every directed
// subject, the hub's API without its domain, another leaf's API; and listens on the hub — to the
// hub's requests to Shanghai's API (to answer for Shanghai's outbox), to the deliveries of Suzhou's
// sources, to the hub's replies. The link user (infra/nats/permissions.ts leafLinkPermissions)
// refuses each, while the streams' sources keep carrying broadcasts and each city's own directed
// messages. Requests carry a `$JSC.R` reply, the one reply space stream sourcing uses, so a refusal
// here is the hub's and not a reply that could not come back.
import { randomBytes } from "node:crypto";
import { connectBus, DOMAIN_LOCAL_SUBJECTS, linkDeliveryOf, Streams, streamNamesOf } from "@tongbao/bus";
import { eventOf, startLeafMetro, waitFor } from "@tongbao/testkit";
import { expect, it } from "vitest";
import { leafLinkUsersOf, leafUserOf, usersOf } from "../../infra/nats/permissions.ts";
import { renderAuthorization } from "../../infra/nats/render.ts";
import { report } from "../topology/support.ts";

const CITIES = ["shanghai", "suzhou", "hangzhou"] as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("a leaf link carries the sources and refuses the hub's directed messages to any other request", async () => {
  const users = [
    ...usersOf([], CITIES, streamNamesOf({ kind: "hub", cities: CITIES }), true),
    ...leafLinkUsersOf(CITIES),
  ];
  const passwords = new Map(users.map((u) => [u.user, `pw${randomBytes(12).toString("hex")}`]));
  for (const u of users) process.env[u.passwordEnv] = passwords.get(u.user);
  await using leaf = await startLeafMetro({
    cities: CITIES,
    linkDeny: DOMAIN_LOCAL_SUBJECTS,
    hubConfig: renderAuthorization(users),
    linkCredentials: (city) => ({ user: leafUserOf(city), password: passwords.get(leafUserOf(city)) ?? "" }),
  });
  const admin = await connectBus({
    servers: leaf.hub.urls,
    name: "hub-admin",
    mode: { kind: "hub", cities: CITIES },
    credentials: { kind: "user", user: "admin", password: passwords.get("admin") ?? "" },
  });
  const at = (city: string) =>
    connectBus({ servers: leaf.cities[city]?.url ?? "", name: `${city}-leaf`, mode: { kind: "leaf", city } });
  const [shanghai, suzhou, hangzhou] = await Promise.all(CITIES.map(at));
  try {
    if (!shanghai || !suzhou || !hangzhou) throw new Error("not connected");
    const { nc } = hangzhou.connection;
    // Hangzhou listens on the hub for what is not its own.
    const overheard: { subject: string; body: string }[] = [];
    for (const subject of [
      "$JS.shanghai.API.>",
      `${linkDeliveryOf("suzhou", "down")}.>`,
      `${linkDeliveryOf("shanghai", "up")}.>`,
      "_INBOX.>",
      "$JS.ACK.>",
    ]) {
      const sub = nc.subscribe(subject);
      void (async () => {
        for await (const m of sub) overheard.push({ subject: m.subject, body: m.string() });
      })();
    }
    // Its requests to the hub, each with its own reply subject.
    const tag = randomBytes(6).toString("hex");
    const waiting = new Map<string, (body: string) => void>();
    const replies = nc.subscribe(`$JSC.R.${tag}.*`);
    void (async () => {
      for await (const m of replies) waiting.get(m.subject)?.(m.string());
    })();
    let asked = 0;
    const ask = async (subject: string, body: unknown = "") => {
      const reply = `$JSC.R.${tag}.${asked++}`;
      const answer = new Promise<string | undefined>((resolve) => {
        waiting.set(reply, resolve);
        setTimeout(() => resolve(undefined), 1_500);
      });
      nc.publish(subject, typeof body === "string" ? body : JSON.stringify(body), { reply });
      const text = await answer;
      // No answer, or the server's "no responders" status (an empty body): the hub never took it.
      if (text === undefined || text === "") return "refused";
      return (JSON.parse(text) as { error?: unknown }).error === undefined
        ? `answered: ${text.slice(0, 60)}`
        : "refused";
    };
    const hub = "$JS.hub.API";
    const consumer = (stream: string, name: string, filter: string) => ({
      stream_name: stream,
      config: { name, filter_subject: filter, ack_policy: "none" },
    });
    // Its own directed messages it may source: a consumer with its own filter is answered.
    await waitFor(
      "the hub answering Hangzhou's own consumer",
      async () =>
        (
          await ask(
            `${hub}.CONSUMER.CREATE.${Streams.direct}.own.dm.hangzhou.>`,
            consumer(Streams.direct, "own", "dm.hangzhou.>"),
          )
        ).startsWith("answered"),
      15_000,
    );
    const pass = await shanghai.publish(eventOf("pass.issued", { origin: "shanghai" }));
    const push = await shanghai.publish(
      eventOf("person.pushed", { origin: "shanghai", data: { targetCity: "suzhou" } }),
    );
    const keyOf = (subject: string) => subject.split(".").at(-1) as string;
    // The sources still carry what each city should have.
    await waitFor(
      "Shanghai's pass at Suzhou",
      async () =>
        (await suzhou.lastEvent({ origin: "shanghai", type: "pass.issued", key: keyOf(pass.subject) })) !==
        null,
      15_000,
    );
    await waitFor(
      "Shanghai's push at Suzhou",
      async () =>
        (await suzhou.lastEvent({
          origin: "shanghai",
          type: "person.pushed",
          key: keyOf(push.subject),
          audience: "suzhou",
        })) !== null,
      15_000,
    );
    // On the hub, the admin reads the push and asks Shanghai's leaf: Hangzhou hears neither.
    expect(
      await admin.lastEvent({
        origin: "shanghai",
        type: "person.pushed",
        key: keyOf(push.subject),
        audience: "suzhou",
      }),
    ).not.toBeNull();
    // (Through a link only sourcing's reply space comes back: the hub asks with a $JSC.R reply too.)
    const adminReply = `$JSC.R.admin-${tag}`;
    const shanghaiAnswered = admin.connection.nc.subscribe(adminReply, { max: 1, timeout: 5_000 });
    await admin.connection.nc.flush();
    admin.connection.nc.publish("$JS.shanghai.API.INFO", "", { reply: adminReply });
    for await (const answer of shanghaiAnswered) expect(answer.string()).toContain("account_info_response");
    // Hangzhou's leaf asks the hub for it every way the hub's API would answer.
    const attempts = {
      directGet: await ask(`${hub}.DIRECT.GET.${Streams.direct}.${push.subject}`),
      messageGet: await ask(`${hub}.STREAM.MSG.GET.${Streams.direct}`, { seq: push.seq }),
      consumerByBody: await ask(
        `${hub}.CONSUMER.CREATE.${Streams.direct}`,
        consumer(Streams.direct, "a", "dm.suzhou.>"),
      ),
      consumerForSuzhou: await ask(
        `${hub}.CONSUMER.CREATE.${Streams.direct}.b.dm.suzhou.>`,
        consumer(Streams.direct, "b", "dm.suzhou.>"),
      ),
      consumerForAll: await ask(
        `${hub}.CONSUMER.CREATE.${Streams.direct}.c.>`,
        consumer(Streams.direct, "c", ">"),
      ),
      consumerForEveryCity: await ask(
        `${hub}.CONSUMER.CREATE.${Streams.direct}.e.dm.*.>`,
        consumer(Streams.direct, "e", "dm.*.>"),
      ),
      othersReceipts: await ask(
        `${hub}.CONSUMER.CREATE.${Streams.receipts}.r.rcpt.>`,
        consumer(Streams.receipts, "r", "rcpt.>"),
      ),
      durable: await ask(`${hub}.CONSUMER.DURABLE.CREATE.${Streams.direct}.d`, {
        stream_name: Streams.direct,
        config: { durable_name: "d", filter_subject: "dm.suzhou.>" },
      }),
      subjectListing: await ask(`${hub}.STREAM.INFO.${Streams.direct}`, { subjects_filter: ">" }),
      streamList: await ask(`${hub}.STREAM.LIST`),
      withoutDomain: await ask(`$JS.API.STREAM.INFO.${Streams.direct}`, { subjects_filter: ">" }),
      anotherLeaf: await ask("$JS.suzhou.API.STREAM.INFO.INBOX_DIRECT", { subjects_filter: ">" }),
    };
    report("leaf link", attempts);
    for (const [attempt, outcome] of Object.entries(attempts)) expect(outcome, attempt).toBe("refused");
    await sleep(300);
    expect(overheard).toEqual([]);
  } finally {
    for (const bus of [shanghai, suzhou, hangzhou, admin]) await bus?.close();
  }
});
