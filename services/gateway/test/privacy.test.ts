import { Writable } from "node:stream";
import { eventOf } from "@tongbao/testkit";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { asSent, bearer, startGateway, tokens } from "./support.ts";

describe("logging", () => {
  it("never writes a token or a body to the log", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    await using gateway = await startGateway({ logger: pino({ level: "trace" }, sink) });
    const marker = "杭州市某某小区-5号楼";
    const event = asSent(
      eventOf("policy.changed", { data: { summary: marker, scope: { city: "hangzhou" } } }),
    );
    const post = (headers: Record<string, string>, payload: string) =>
      gateway.app.inject({ method: "POST", url: "/v1/events", headers, payload });
    const json = { "content-type": "application/json" };
    expect((await post({ ...json, ...bearer("hangzhou") }, JSON.stringify(event))).statusCode).toBe(202);
    expect(
      (await post({ ...json, ...bearer("hangzhou") }, JSON.stringify({ ...event, extra: marker })))
        .statusCode,
    ).toBe(400);
    expect((await post({ ...json, ...bearer("hangzhou") }, `{"item": "${marker}"`)).statusCode).toBe(400);
    expect((await post({ ...json, authorization: "Bearer guessed-token" }, "{}")).statusCode).toBe(401);
    const log = lines.join("");
    expect(log).toContain("request completed");
    expect(log).not.toContain(marker);
    expect(log).not.toContain(tokens.hangzhou);
    expect(log).not.toContain("guessed-token");
  });
});
