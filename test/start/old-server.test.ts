// Tongbao needs nats-server 2.12 or later. A machine with Debian bookworm's 2.9.10 gets told so at
// once, by `pnpm start` and by the test kit: which version was found, where, and how to get a newer one.
import { execFile } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { isSupportedServer, REQUIRED_NATS_SERVER, UnsupportedServerError } from "@tongbao/bus";
import { findNatsServerBinary, freePorts } from "@tongbao/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { root } from "../support/metro.ts";

let dir: string;
let oldServer: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tongbao-old-server-"));
  oldServer = join(dir, "nats-server");
  await writeFile(oldServer, "#!/bin/sh\necho 'nats-server: v2.9.10'\n");
  await chmod(oldServer, 0o755);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const expectedMessage = (where: string) =>
  new RegExp(
    `nats-server 2\\.9\\.10 found at ${where.replaceAll("/", "\\/")}; Tongbao needs nats-server ${REQUIRED_NATS_SERVER.replaceAll(".", "\\.")} or later: .*source \\.ci/tools\\.sh`,
  );

describe("an older nats-server", () => {
  it("is refused by pnpm start at once, naming the version found, the version needed and how to get it", async () => {
    const [port] = await freePorts(1);
    const { NATS_URL: _notThisOne, ...env } = process.env;
    const run = await promisify(execFile)(process.execPath, ["infra/start/main.ts"], {
      cwd: root,
      env: { ...env, NATS_SERVER_BIN: oldServer, TONGBAO_NATS_PORT: String(port) },
      timeout: 30_000,
    }).then(
      () => ({ code: 0, stdout: "" }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(expectedMessage(oldServer));
  });

  it("is refused by the test kit before any test runs on it", async () => {
    const saved = process.env.NATS_SERVER_BIN;
    process.env.NATS_SERVER_BIN = oldServer;
    try {
      const found = findNatsServerBinary();
      await expect(found).rejects.toThrow(UnsupportedServerError);
      await expect(found).rejects.toThrow(expectedMessage(oldServer));
    } finally {
      process.env.NATS_SERVER_BIN = saved;
    }
  });

  it("is told apart from a supported one by its version", () => {
    expect(["2.9.10", "2.10.27", "2.11.9"].map(isSupportedServer)).toEqual([false, false, false]);
    expect(["2.12.0", "2.15.1", "v2.14.0-RC.2", "3.0.0"].map(isSupportedServer)).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });
});
