import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cityIds, loadMetro, MetroDefinitionError, readSecret } from "../src/index.ts";

const yrd = join(import.meta.dirname, "../../../infra/metros/yrd.json");

describe("metro definitions", () => {
  it("loads the Yangtze River Delta demo metro", async () => {
    const metro = await loadMetro(yrd);
    expect(cityIds(metro)).toEqual(
      expect.arrayContaining(["shanghai", "suzhou", "jiaxing", "hangzhou", "shaoxing"]),
    );
    const shanghai = metro.cities.find((c) => c.id === "shanghai");
    expect(shanghai?.districts.map((d) => d.id)).toContain("shanghai-qingpu");
  });

  it("names every offending path of a wrong definition", async () => {
    const dir = await mkdtemp(join(tmpdir(), "metro-"));
    const file = join(dir, "bad.json");
    const city = (id: string) => ({
      id,
      name: id,
      districts: [{ id: "elsewhere-x", name: "x" }],
      delivery: { kind: "webhook", urls: ["ftp://x"], secret: { env: "S" }, batch: { maxNotices: 1 } },
      gatewayTokenSha256: { env: "T" },
    });
    await writeFile(
      file,
      JSON.stringify({
        id: "m",
        name: "m",
        timeZone: "Asia/Shanghai",
        acknowledgeWithinSeconds: 60,
        cities: [city("a"), city("a"), city("metro")],
      }),
    );
    const error = await loadMetro(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetroDefinitionError);
    expect((error as Error).message).toMatch(/cities\.0\.delivery\.urls\.0: must be an http\(s\) URL/);
    expect((error as Error).message).toMatch(/cities\.1\.id: is used twice/);
    expect((error as Error).message).toMatch(/cities\.0\.delivery\.batch\.maxNotices: must be at least 2/);
    expect((error as Error).message).toMatch(/cities\.0\.districts\.0\.id: must start with "a-"/);
    // A city called `metro` would publish as Tongbao itself.
    expect((error as Error).message).toMatch(/cities\.2\.id: "metro" is reserved for Tongbao's own events/);
  });

  it("reads secrets from the environment or a file, and says which one is missing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "metro-"));
    await writeFile(join(dir, "s"), "from-a-file\n");
    expect(await readSecret({ file: "s" }, {}, dir)).toBe("from-a-file");
    expect(await readSecret({ env: "TB_SECRET" }, { TB_SECRET: "from-env" })).toBe("from-env");
    await expect(readSecret({ env: "TB_MISSING" }, {})).rejects.toThrow(/TB_MISSING is not set/);
  });
});
