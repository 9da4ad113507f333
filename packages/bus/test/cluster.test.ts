import { connectBus, Streams } from "@tongbao/bus";
import { eventOf, startCluster } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";

describe("on a 3-node cluster", () => {
  it("a publish during a leader election succeeds once the new leader is up, stored once", async () => {
    await using cluster = await startCluster({ size: 3 });
    await using bus = await connectBus({
      servers: cluster.urls,
      name: "election",
      apiTimeoutMs: 20_000,
      topology: { replicas: 3 },
    });
    await bus.publish(eventOf("case.reported", { origin: "hangzhou" }));
    const { jsm } = bus.connection;
    const leaderName = (await jsm.streams.info(Streams.events)).cluster?.leader;
    const leader = cluster.servers.find((s) => s.name === leaderName);
    expect(leader).toBeDefined();

    await leader?.kill();
    const started = Date.now();
    const published = await bus.publish(eventOf("pass.issued"), { deadlineMs: 30_000 });
    const seconds = (Date.now() - started) / 1000;

    const info = await jsm.streams.info(Streams.events);
    expect(info.cluster?.leader).not.toBe(leaderName);
    expect(published.duplicate).toBe(false);
    expect(info.state.messages).toBe(2);
    process.stdout.write(
      `leader election: killed ${leaderName}, publish confirmed after ${seconds.toFixed(1)} s\n`,
    );
  });
});
