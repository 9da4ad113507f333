import { connectBus } from "@tongbao/bus";
import { eventOf, startNats } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";

describe("connect", () => {
  it("connects with a user and password, and refuses wrong ones clearly", async () => {
    await using server = await startNats({
      extraConfig: 'authorization { user: "hangzhou", password: "s3cret-for-tests" }',
    });
    await using bus = await connectBus({
      servers: server.url,
      name: "hangzhou-cases",
      credentials: { kind: "user", user: "hangzhou", password: "s3cret-for-tests" },
    });
    await expect(bus.publish(eventOf("pass.issued"))).resolves.toMatchObject({ seq: 1 });
    await expect(
      connectBus({
        servers: server.url,
        name: "intruder",
        credentials: { kind: "user", user: "hangzhou", password: "no" },
      }),
    ).rejects.toThrow(/Authorization/i);
  });

  it("connects with a token", async () => {
    await using server = await startNats({ extraConfig: 'authorization { token: "t0ken-for-tests" }' });
    await using bus = await connectBus({
      servers: server.url,
      name: "t",
      credentials: { kind: "token", token: "t0ken-for-tests" },
    });
    expect(bus.isConnected()).toBe(true);
  });

  it("reconnects by itself after the server restarts, and publishing goes on", async () => {
    await using server = await startNats();
    await using bus = await connectBus({ servers: server.url, name: "survivor" });
    await bus.publish(eventOf("pass.issued"));
    await server.kill();
    const during = bus.publish(eventOf("pass.issued"), { deadlineMs: 30_000 });
    await server.restart();
    await expect(during).resolves.toMatchObject({ seq: 2 });
    expect(bus.isConnected()).toBe(true);
  });
});
