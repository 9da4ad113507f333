// Attack: Hangzhou's leaf node — its admin, or a changed config — speaks to the hub through its leaf
// link and asks for Suzhou's directed messages (a direct get, consumers on DIRECT with another
// city's filter, a durable), the list of every directed subject, the hub's API without its domain,
// another leaf's API. The link user (infra/nats/permissions.ts leafLinkPermissions) refuses each, while
// the streams' sources keep carrying broadcasts and each city's own directed messages.
import { randomBytes } from "node:crypto";
import { connectBus, DOMAIN_LOCAL_SUBJECTS, Streams, streamNamesOf } from "@tongbao/bus";
import { eventOf, startLeafMetro, waitFor } from "@tongbao/testkit";
import { expect, it } from "vitest";
import { leafLinkUsersOf, leafUserOf, usersOf } from "../../infra/nats/permissions.ts";
import { renderAuthorization } from "../../infra/nats/render.ts";
import { report } from "../topology/support.ts";

const CITIES = ["shanghai", "suzhou", "hangzhou"] as const;

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
    // Hangzhou's leaf asks the hub for it every way the hub's API would answer.
    // Refused: by the link's permissions (no responders), or answered with an error by Hangzhou's
    // own leaf (its JetStream answers `$JS.API`, and has no DIRECT stream).
    const ask = async (subject: string, body: unknown = "") => {
      try {
        const reply = await hangzhou.connection.nc.request(
          subject,
          typeof body === "string" ? body : JSON.stringify(body),
          {
            timeout: 1_500,
          },
        );
        const answer = reply.json<{ error?: unknown }>();
        return answer.error === undefined ? `answered: ${reply.string().slice(0, 60)}` : "refused";
      } catch {
        return "refused";
      }
    };
    const hub = "$JS.hub.API";
    const consumer = (name: string, filter: string) => ({
      stream_name: Streams.direct,
      config: { name, filter_subject: filter, ack_policy: "none" },
    });
    const attempts = {
      directGet: await ask(`${hub}.DIRECT.GET.${Streams.direct}.${push.subject}`),
      messageGet: await ask(`${hub}.STREAM.MSG.GET.${Streams.direct}`, { seq: push.seq }),
      consumerByBody: await ask(`${hub}.CONSUMER.CREATE.${Streams.direct}`, consumer("a", "dm.suzhou.>")),
      consumerForSuzhou: await ask(
        `${hub}.CONSUMER.CREATE.${Streams.direct}.b.dm.suzhou.>`,
        consumer("b", "dm.suzhou.>"),
      ),
      consumerForAll: await ask(`${hub}.CONSUMER.CREATE.${Streams.direct}.c.>`, consumer("c", ">")),
      durable: await ask(`${hub}.CONSUMER.DURABLE.CREATE.${Streams.direct}.d`, {
        stream_name: Streams.direct,
        config: { durable_name: "d", filter_subject: "dm.suzhou.>" },
      }),
      subjectListing: await ask(`${hub}.STREAM.INFO.${Streams.direct}`, { subjects_filter: ">" }),
      withoutDomain: await ask(`$JS.API.STREAM.INFO.${Streams.direct}`, { subjects_filter: ">" }),
      anotherLeaf: await ask("$JS.suzhou.API.STREAM.INFO.INBOX_DIRECT", { subjects_filter: ">" }),
    };
    report("leaf link", attempts);
    for (const [attempt, outcome] of Object.entries(attempts)) expect(outcome, attempt).toBe("refused");
    // Its own directed messages it may still source: a consumer with its own filter is answered.
    expect(
      await ask(
        `${hub}.CONSUMER.CREATE.${Streams.direct}.own.dm.hangzhou.>`,
        consumer("own", "dm.hangzhou.>"),
      ),
    ).toMatch(/^answered/);
  } finally {
    for (const bus of [shanghai, suzhou, hangzhou, admin]) await bus?.close();
  }
});
