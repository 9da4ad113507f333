import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { loadMetro, type Metro } from "@tongbao/metro";

export const root = join(import.meta.dirname, "..", "..", "..");
const main = join(root, "packages", "cli", "src", "main.ts");

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The CLI as a real child process (not a terminal), with NATS_URL pointing at the test's server. */
export const spawnCli = (args: readonly string[], env: Record<string, string> = {}): ChildProcess =>
  spawn(process.execPath, [main, ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: "silent", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });

export const finished = async (child: ChildProcess, input?: string): Promise<CliRun> => {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  child.stdin?.end(input);
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stdout, stderr };
};

export const runCli = (args: readonly string[], env: Record<string, string> = {}, input?: string) =>
  finished(spawnCli(args, env), input);

/** Resolves once the child has written `text` to stderr (e.g. "tailing … from now"). */
export const stderrShows = (child: ChildProcess, text: string): Promise<void> =>
  new Promise((resolve, reject) => {
    let seen = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      if (seen.includes(text)) resolve();
    });
    child.once("exit", () => reject(new Error(`exited before saying "${text}": ${seen}`)));
  });

/** The demo metro with `count` cities, each of which reads its notices from Tongbao (store delivery). */
export const writeStoreMetro = async (
  dir: string,
  count: number,
): Promise<{ metro: Metro; file: string }> => {
  const demo = await loadMetro(join(root, "infra/metros/yrd.json"));
  const metro: Metro = {
    ...demo,
    cities: demo.cities.slice(0, count).map((city) => ({ ...city, delivery: { kind: "store" } })),
  };
  const file = join(dir, "metro.json");
  await writeFile(file, JSON.stringify(metro));
  return { metro, file };
};

export { waitFor } from "@tongbao/testkit";
