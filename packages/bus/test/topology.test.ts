import { connectBus, Streams, TopologyConflictError } from "@tongbao/bus";
import { startNats } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";

describe("topology", () => {
  it("creates every stream once and can be ensured again and again", async () => {
    await using server = await startNats();
    await using bus = await connectBus({ servers: server.url, name: "topology" });
    await bus.ensureTopology();
    await bus.ensureTopology();
    const names: string[] = [];
    for await (const name of bus.connection.jsm.streams.names()) names.push(name);
    expect(names).toEqual(expect.arrayContaining(Object.values(Streams)));
    const direct = await bus.connection.jsm.streams.info(Streams.direct);
    expect(direct.config.max_age).toBe(30 * 86_400 * 1e9);
    const receipts = await bus.connection.jsm.streams.info(Streams.receipts);
    expect(receipts.config.max_msgs_per_subject).toBe(1);
  });

  it("reports an existing stream with other settings, and leaves it as it was", async () => {
    await using server = await startNats();
    await using setup = await connectBus({ servers: server.url, name: "setup", topology: false });
    await setup.connection.jsm.streams.add({ name: Streams.direct, subjects: ["dm.>"], max_age: 0 });
    const attempt = connectBus({ servers: server.url, name: "tongbao" });
    await expect(attempt).rejects.toThrow(TopologyConflictError);
    await expect(attempt).rejects.toThrow(/DIRECT\.max_age: expected 2592000000000000, found 0/);
    const untouched = await setup.connection.jsm.streams.info(Streams.direct);
    expect(untouched.config.max_age).toBe(0);
  });
});
