import { connectBus, Streams } from "@tongbao/bus";
import { startCluster } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { broadcasts, compare, report } from "./support.ts";

// 100,000 is the figure to run and report (TONGBAO_CLUSTER_EVENTS=100000, about a minute or two);
// the suite's default keeps it short.
const EVENTS = Number(process.env.TONGBAO_CLUSTER_EVENTS ?? 10_000);

describe.each(["the stream leader", "a follower"])("a 3-node cluster, R3 streams", (victim) => {
  it(
    `kill -9 of ${victim} during ${EVENTS} publishes loses nothing and stores nothing twice`,
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
      const outcomes = await bus.publishBatch(counted, { window: 256, deadlineMs: 60_000 });
      await killed;
      const seconds = (Date.now() - started) / 1000;
      const failed = outcomes.filter((o) => !o.ok).length;
      const ids = outcomes.flatMap((o) => (o.ok ? [{ id: o.published.id, seq: o.published.seq }] : []));

      // The killed node comes back and catches up, as it would in operation; then the log is read.
      await target.restart();
      // Counted once the restarted node has caught up: until then it serves a shorter log.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const info = await jsm.streams.info(Streams.events);
        const restarted = info.cluster?.replicas?.find((r) => r.name === target.name);
        if ((restarted?.current && (restarted.lag ?? 0) === 0) || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      // A replay's consumer may land on the restarted replica while it still applies what it missed
      // (seen under load: 15–149 short, though the leader held every event). Read again, up to five
      // times, until the replay agrees with the leader's count; how many re-reads it took is reported.
      const inLeader = (await jsm.streams.info(Streams.events)).state.messages;
      let stored: { origin: string; id: string }[] = [];
      let rereads = -1;
      do {
        if (rereads >= 0) await new Promise((resolve) => setTimeout(resolve, 1_000));
        rereads++;
        stored = [];
        for await (const { event } of bus.replay()) stored.push({ origin: event.origin, id: event.id });
      } while (stored.length < inLeader && rereads < 5);
      const figures = compare(
        new Map([["hangzhou", ids.sort((a, b) => a.seq - b.seq).map((p) => p.id)]]),
        stored,
      );
      report(`3-node cluster, kill -9 ${victim} (${target.name})`, {
        ...figures,
        inLeader,
        rereads,
        failedPublishes: failed,
        secondsToPublishAll: seconds,
        perSecond: Math.round(EVENTS / seconds),
      });
      expect(failed).toBe(0);
      expect(figures).toMatchObject({ published: EVENTS, stored: EVENTS, lost: 0, duplicated: 0 });
    },
    Math.max(60_000, EVENTS * 5),
  );
});
