import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { bearer, startGateway } from "./support.ts";

// Regression: the fuzz run (test/hardening/input) found paths and query strings in the request log.
describe("the request log", () => {
  it("names the route asked, never the path or query string the caller sent", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    await using gateway = await startGateway({ logger: pino({ level: "info" }, sink) });
    const marker = "ZhangSan-13812345678";
    for (const url of [
      `/v1/passes/${marker}`,
      `/v1/passes/P1?at=${marker}`,
      `/v1/events?key=${marker}`,
      `/v1/${marker}`,
    ]) {
      const answer = await gateway.app.inject({ method: "GET", url, headers: bearer("hangzhou") });
      expect(answer.statusCode).toBeLessThan(500);
    }
    const log = lines.join("");
    expect(log).not.toContain(marker);
    const routes = lines.flatMap((line) => {
      const req = (JSON.parse(line) as { req?: { route?: string } }).req;
      return req?.route === undefined ? [] : [req.route];
    });
    expect(routes).toEqual(["/v1/passes/:passId", "/v1/passes/:passId", "/v1/events", "unmatched"]);
  });
});
