// Ten thousand malformed or hostile requests against the real gateway process (every service runs
// as its own process, as `pnpm start` runs them). Every one must be answered 4xx with a JSON error
// that says what is wrong, the process must stay up, and nothing of the requests may reach its log.
import { readFile } from "node:fs/promises";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { examples } from "@tongbao/events";
import { uniqueKey } from "@tongbao/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningMetro, startMetro } from "../../support/metro.ts";
import { type FuzzContext, type Hostile, hostileRequest, MARK, rngOf, TOKEN_MARK } from "./hostile.ts";

const REQUESTS = 10_000;
const CONCURRENCY = 32;
const SEED = Number(process.env.FUZZ_SEED ?? 20200211);

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

let m: RunningMetro;
beforeAll(async () => {
  m = await startMetro();
}, 120_000);
afterAll(async () => {
  await m?.[Symbol.asyncDispose]();
});

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

// The gateway's default body limit (1 MiB): larger bodies are refused from their content-length.
const BODY_LIMIT = 1024 * 1024;

/**
 * Raw HTTP, so that bodies can be any bytes and headers exactly what a hostile client sends. A body
 * over the limit is answered 413 from its content-length, before it is read, and the connection then
 * closed: such a body goes on a connection of its own, and is written only if no answer has come
 * after its headers (writing it at once races the close, and the answer is lost to a broken pipe).
 */
const send = (base: URL, h: Hostile): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const oversized = h.body !== undefined && Buffer.byteLength(h.body) > BODY_LIMIT;
    let answered = false;
    const req = request(
      {
        agent: oversized ? false : agent,
        host: base.hostname,
        port: base.port,
        method: h.method,
        path: h.path,
        headers: {
          ...h.headers,
          ...(h.body !== undefined && { "content-length": String(Buffer.byteLength(h.body)) }),
        },
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          if (oversized) req.destroy();
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers["content-type"] ?? ""),
            text: Buffer.concat(chunks).toString("utf8"),
          });
        });
        res.on("error", reject);
      },
    );
    req.on("error", (error) => {
      if (!answered) reject(new Error(`${h.kind} ${h.method} ${h.path.slice(0, 60)}: ${error.message}`));
    });
    if (!oversized) {
      req.end(h.body);
      return;
    }
    req.flushHeaders();
    setTimeout(() => {
      if (!answered) req.end(h.body);
    }, 1_000);
  });

/** What is wrong with an answer to a hostile request, or undefined when it is right. */
const complaintAbout = (h: Hostile, a: Answer): string | undefined => {
  if (a.status < 400 || a.status > 499) return `status ${a.status}`;
  if (h.status !== undefined && a.status !== h.status) return `status ${a.status}, expected ${h.status}`;
  if (!a.contentType.startsWith("application/json")) return `content type ${a.contentType}`;
  let body: { error?: unknown; issues?: unknown };
  try {
    body = JSON.parse(a.text) as typeof body;
  } catch {
    return "the body is not JSON";
  }
  if (typeof body.error !== "string" || body.error.length < 5) return "no error message";
  if (body.issues !== undefined) {
    const issues = body.issues as { path?: unknown; message?: unknown }[];
    if (
      !Array.isArray(issues) ||
      issues.some((i) => typeof i.path !== "string" || typeof i.message !== "string")
    )
      return "issues without path and message";
  }
  if (h.error !== undefined && !body.error.includes(h.error)) return `error "${body.error}"`;
  if (h.issuePath !== undefined && a.status === 400) {
    const paths = ((body.issues ?? []) as { path: string }[]).map((i) => i.path);
    if (!paths.includes(h.issuePath)) return `issues ${JSON.stringify(paths)} do not name ${h.issuePath}`;
  }
  return undefined;
};

describe("the gateway under ten thousand hostile requests", () => {
  it("answers every one 4xx with a clear error, stays up, and logs none of it", async () => {
    const base = new URL(m.services.gatewayUrl);
    const hangzhouCase = uniqueKey("HZ");
    const reported = await m.api("hangzhou", "/v1/events", {
      method: "POST",
      headers: { "content-type": "application/cloudevents+json" },
      body: JSON.stringify({ ...examples["case.reported"], origin: undefined, subject: hangzhouCase }),
    });
    expect(reported.status).toBe(202);
    const context: FuzzContext = { tokens: m.tokens, hangzhouCase };

    const rng = rngOf(SEED);
    const requests = Array.from({ length: REQUESTS }, (_, n) => hostileRequest(n, rng, context));
    const byStatus = new Map<number, number>();
    const byKind = new Map<string, Map<number, number>>();
    const complaints: string[] = [];
    let next = 0;
    const started = Date.now();
    const worker = async () => {
      for (let n = next++; n < requests.length; n = next++) {
        const h = requests[n] as Hostile;
        const answer = await send(base, h);
        byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
        const kind = byKind.get(h.kind) ?? new Map<number, number>();
        byKind.set(h.kind, kind.set(answer.status, (kind.get(answer.status) ?? 0) + 1));
        const complaint = complaintAbout(h, answer);
        if (complaint !== undefined)
          complaints.push(`#${n} ${h.kind} ${h.method} ${h.path.slice(0, 80)}: ${complaint}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (Date.now() - started) / 1000;

    const table = (counts: Map<number, number>) =>
      [...counts]
        .sort(([a], [b]) => a - b)
        .map(([status, count]) => `${status}: ${count}`)
        .join(", ");
    console.log(
      [
        `gateway fuzz: ${REQUESTS} requests in ${seconds.toFixed(1)} s (seed ${SEED}) — ${table(byStatus)}`,
        ...[...byKind].map(([kind, counts]) => `  ${kind.padEnd(20)} ${table(counts)}`),
      ].join("\n"),
    );

    expect([...byStatus.values()].reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    expect(complaints.slice(0, 20)).toEqual([]);

    // Still up, still connected, and the process never restarted.
    expect((await fetch(`${m.services.gatewayUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${m.services.gatewayUrl}/readyz`)).status).toBe(200);
    expect(m.services.supervisor.pids().gateway).toBeDefined();

    const log = await readFile(join(m.dir, "logs", "gateway.log"), "utf8");
    expect(log).toContain("request completed");
    expect(log).not.toContain(MARK);
    expect(log).not.toContain(TOKEN_MARK);
    expect(log).not.toContain("polluted");
    for (const token of Object.values(m.tokens)) expect(log).not.toContain(token);
  }, 180_000);
});
