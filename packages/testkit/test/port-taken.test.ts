import { mkdtemp } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findNatsServerBinary } from "../src/nats/binary.ts";
import { freePorts } from "../src/nats/free-port.ts";
import { ManagedNatsServer } from "../src/nats/managed-server.ts";
import { PortTakenError, withFreshPorts } from "../src/nats/port-taken.ts";

describe("a port taken between finding it and the server binding it", () => {
  it("is told apart from other start failures, and only it starts again", async () => {
    const [client, monitor] = await freePorts(2);
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(client, "127.0.0.1", resolve));
    try {
      const dir = await mkdtemp(join(tmpdir(), "tongbao-port-taken-"));
      const server = new ManagedNatsServer(await findNatsServerBinary(), dir, {
        name: "squatted",
        clientPort: client as number,
        monitorPort: monitor as number,
        storeDir: join(dir, "store"),
        jetstream: false,
      });
      await expect(server.start()).rejects.toThrow(PortTakenError);
      await server[Symbol.asyncDispose]();
    } finally {
      squatter.close();
    }

    let tries = 0;
    const flaky = () => (++tries < 2 ? Promise.reject(new PortTakenError("taken")) : Promise.resolve("up"));
    await expect(withFreshPorts(flaky)).resolves.toBe("up");
    expect(tries).toBe(2);
    const broken = () => Promise.reject(new Error("Parse error"));
    await expect(withFreshPorts(broken)).rejects.toThrow("Parse error");
  });
});
