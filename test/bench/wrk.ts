// wrk (Debian's `wrk`) as the gateway's HTTP client in the ingest benchmark: C, a few µs of CPU per
// request where a Node client takes about 30, and on one 2-core machine the client's CPU is taken
// from the gateway and the server it measures. City systems send from their own machines.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const hasWrk = async () =>
  run("wrk", ["--version"]).then(
    () => true,
    // wrk --version prints its banner and exits 1.
    (error: { stdout?: string; stderr?: string }) => /wrk/.test(`${error.stdout}${error.stderr}`),
  );

export interface WrkPost {
  readonly url: string;
  readonly token: string;
  /** The event as a city system sends it; each request gets its own subject (`<prefix>-<n>`). */
  readonly event: Record<string, unknown> & { subject: string };
  readonly connections: number;
  readonly dir: string;
}

/** A script that POSTs the event with a fresh subject each time, over `connections` keep-alive connections. */
const scriptOf = ({ token, event }: WrkPost) => {
  const placeholder = "@subject@";
  const [before, after] = JSON.stringify({ ...event, subject: placeholder }).split(`"${placeholder}"`) as [
    string,
    string,
  ];
  return [
    'wrk.method = "POST"',
    'wrk.headers["Content-Type"] = "application/cloudevents+json"',
    `wrk.headers["Authorization"] = "Bearer ${token}"`,
    "local n = 0",
    "request = function()",
    "  n = n + 1",
    `  return wrk.format(nil, nil, nil, ${luaString(before)} .. '"${event.subject}-' .. n .. '"' .. ${luaString(after)})`,
    "end",
  ].join("\n");
};
const luaString = (text: string) => `[==[${text}]==]`;

/** Requests per second over `seconds`; throws if any answer was not 2xx or a socket failed. */
export const wrkRound = async (post: WrkPost, seconds: number): Promise<number> => {
  const script = join(post.dir, "ingest.lua");
  await writeFile(script, scriptOf(post));
  const { stdout } = await run("wrk", [
    "-t1",
    `-c${post.connections}`,
    `-d${seconds}s`,
    "-s",
    script,
    post.url,
  ]);
  const failures = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(stdout);
  if (failures) throw new Error(`wrk: ${failures[0]}`);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1];
  if (rate === undefined) throw new Error(`wrk printed no rate:\n${stdout}`);
  return Number(rate);
};
