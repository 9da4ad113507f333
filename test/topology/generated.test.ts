import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { generate, generatedDirOf } from "../../infra/nats/generate.ts";

const DEMO_METRO = "infra/metros/yrd.json";
const run = promisify(execFile);

describe("the NATS configurations generated from the demo metro", () => {
  it("are checked in as the generator writes them (regenerate: node infra/nats/generate.ts infra/metros/yrd.json)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tongbao-generated-"));
    try {
      const written = await generate(DEMO_METRO, dir);
      const checkedIn = generatedDirOf("yrd");
      expect((await readdir(checkedIn)).sort()).toEqual(
        written.map((file) => file.slice(dir.length + 1)).sort(),
      );
      for (const file of written) {
        const name = file.slice(dir.length + 1);
        expect(await readFile(join(checkedIn, name), "utf8"), `${name} is stale`).toBe(
          await readFile(file, "utf8"),
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("are valid for nats-server, given the passwords and hub URL from the environment", async () => {
    const dir = generatedDirOf("yrd");
    const binary = process.env.NATS_SERVER_BIN ?? "nats-server";
    for (const name of (await readdir(dir)).filter((file) => file.endsWith(".conf"))) {
      const text = await readFile(join(dir, name), "utf8");
      const env: Record<string, string> = {
        NATS_SERVER_NAME: "node-1",
        NATS_HUB_LEAF_URL: "nats-leaf://a:b@hub:7422",
      };
      for (const [, variable] of text.matchAll(/\$(NATS_PASSWORD_[A-Z0-9_]+|NATS_ROUTE_PASSWORD)/g))
        env[variable as string] = "pwDemo";
      for (const [, variable] of text.matchAll(/\$(NATS_ROUTE_(?!PASSWORD)[A-Z0-9_]+)/g))
        env[variable as string] = `nats-route://route:pwDemo@${(variable as string).toLowerCase()}:6222`;
      const { stdout, stderr } = await run(binary, ["-t", "-c", join(dir, name)], {
        env: { ...process.env, ...env },
      });
      expect(`${stdout}${stderr}`).toContain("is valid");
    }
  });
});
