import { type Bus, connectBus, type ReplayQuery, Streams } from "@tongbao/bus";
import { startCluster } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { broadcasts, compare, publishAll, report } from "./support.ts";

// 100,000 is the figure to run and report (TONGBAO_CLUSTER_EVENTS=100000, about a minute or two);
// the suite's default keeps it short.
const EVENTS = Number(process.env.TONGBAO_CLUSTER_EVENTS ?? 10_000);
/** Published by another city after Hangzhou's run: a replay of Hangzhou alone ends before the log does. */
const TRAILER = 50;

const replayed = async (bus: Bus, query: ReplayQuery) => {
  const stored: { origin: string; id: string }[] = [];
  for await (const { event } of bus.replay(query)) stored.push({ origin: event.origin, id: event.id });
  return stored;
};

describe.each(["the stream leader", "a follower"])("a 3-node cluster, R3 streams", (victim) => {
  it(
    `kill -9 of ${victim} during ${EVENTS} publishes loses nothing, stores nothing twice, and the first replay after its restart reads it all`,
    async () => {
      await using cluster = await startCluster({ size: 3 });
      await using bus = await connectBus({
        servers: cluster.urls,
        name: "cluster-kill",
        apiTimeoutMs: 20_000,
        topology: { replicas: 3 },
      });
      const { jsm } = bus.connection;
      const leader = (await jsm.streams.info(Streams.events)).cluster?.leader;
      const target = cluster.servers.find((s) =>
        victim === "a follower" ? s.name !== leader : s.name === leader,
      );
      if (target === undefined) throw new Error(`no ${victim} to kill`);

      const inputs = broadcasts("hangzhou", EVENTS, `kill-${victim.replace(/ /g, "-")}`);
      const started = Date.now();
      let sent = 0;
      const counted = (function* () {
        for (const input of inputs) {
          sent++;
          yield input;
        }
      })();
      const killed = (async () => {
        while (sent < EVENTS / 3) await new Promise((resolve) => setTimeout(resolve, 5));
        await target.kill();
      })();
      const outcomes = await bus.publishMany(counted, { window: 256, deadlineMs: 60_000 });
      await killed;
      const seconds = (Date.now() - started) / 1000;
      const failed = outcomes.filter((o) => !o.ok).length;
      const ids = outcomes.flatMap((o) => (o.ok ? [{ id: o.published.id, seq: o.published.seq }] : []));
      const hangzhou = ids.sort((a, b) => a.seq - b.seq).map((p) => p.id);
      const suzhou = (await publishAll(bus, broadcasts("suzhou", TRAILER, "trailer"))).map((p) => p.id);

      // The killed node comes back and at once, while it still applies what it missed, operators
      // replay: each replay's consumer lands on any replica, the restarted one included. Several
      // replays at once, whole log and one city, so that some land there; each must be complete.
      await target.restart();
      const replayStarted = Date.now();
      const readers = await Promise.all([
        replayed(bus, {}),
        replayed(bus, {}),
        replayed(bus, { origins: ["hangzhou"] }),
        replayed(bus, { origins: ["hangzhou"] }),
      ]);
      const replaySeconds = (Date.now() - replayStarted) / 1000;
      const everything = new Map([
        ["hangzhou", hangzhou],
        ["suzhou", suzhou],
      ]);
      const onlyHangzhou = new Map([["hangzhou", hangzhou]]);
      const figures = readers.map((stored, i) => compare(i < 2 ? everything : onlyHangzhou, stored));
      const inLeader = (await jsm.streams.info(Streams.events)).state.messages;
      report(`3-node cluster, kill -9 ${victim} (${target.name})`, {
        ...figures[0],
        hangzhouOnly: figures[2]?.stored,
        storedPerReplay: figures.map((f) => f.stored),
        inLeader,
        failedPublishes: failed,
        secondsToPublishAll: seconds,
        perSecond: Math.round(EVENTS / seconds),
        secondsToReplay4x: replaySeconds,
      });
      expect(failed).toBe(0);
      expect(inLeader).toBe(EVENTS + TRAILER);
      for (const [i, f] of figures.entries()) {
        const published = i < 2 ? EVENTS + TRAILER : EVENTS;
        expect(f, `replay ${i + 1}`).toMatchObject({ published, stored: published, lost: 0, duplicated: 0 });
      }
    },
    Math.max(60_000, EVENTS * 5),
  );
});
