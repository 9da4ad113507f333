import { createServer } from "node:net";
import { connectBus, UnsupportedServerError } from "@tongbao/bus";
import { eventOf, startNats } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";

/**
 * Says what a nats-server 2.9.10 says when a client connects (its INFO), and answers the client's
 * PING; nothing more. An old server's only part here is to tell its version.
 */
const oldServerGreeting = async () => {
  const server = createServer((socket) => {
    socket.write(
      `INFO {"server_id":"OLD","version":"2.9.10","proto":1,"max_payload":1048576,"headers":true,"jetstream":true}\r\n`,
    );
    socket.on("data", (data) => {
      if (data.toString().includes("PING")) socket.write("PONG\r\n");
    });
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `nats://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
};

describe("connect", () => {
  it("refuses a server older than 2.12 at once, saying which it found and what to do", async () => {
    const old = await oldServerGreeting();
    try {
      const connecting = connectBus({ servers: old.url, name: "too-old", topology: false });
      await expect(connecting).rejects.toThrow(UnsupportedServerError);
      await expect(connectBus({ servers: old.url, name: "too-old", topology: false })).rejects.toThrow(
        /nats-server 2\.9\.10 found at 127\.0\.0\.1:\d+; Tongbao needs nats-server 2\.12\.0 or later/,
      );
    } finally {
      await old.close();
    }
  });

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
