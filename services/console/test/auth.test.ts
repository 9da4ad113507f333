import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cityToken, type Harness, operatorTokens, signIn, startConsole } from "./support.ts";

let h: Harness;
beforeAll(async () => {
  h = await startConsole();
});
afterAll(async () => {
  await h?.[Symbol.asyncDispose]();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${h.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

describe("signing in", () => {
  it("sends a browser without a session to the sign-in page, and refuses the API", async () => {
    const page = await fetch(`${h.url}/`, { redirect: "manual" });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/login");
    expect((await fetch(`${h.url}/login`)).status).toBe(200);
    for (const path of ["/api/session", "/api/feed", "/api/risk", "/api/dead-letters", "/api/traces"]) {
      const response = await fetch(`${h.url}${path}`);
      expect(response.status, path).toBe(401);
      expect(await response.json()).toEqual({ error: expect.stringMatching(/sign in/) });
    }
  });

  it("does not open for a city's gateway token, as a bearer or at sign-in", async () => {
    const asBearer = await fetch(`${h.url}/api/session`, {
      headers: { authorization: `Bearer ${cityToken}` },
    });
    expect(asBearer.status).toBe(401);
    const login = await post("/login", { token: cityToken });
    expect(login.status).toBe(401);
    expect(login.headers.get("set-cookie")).toBeNull();
    expect(await login.json()).toEqual({ error: "this is not an operator's token" });
  });

  it("signs an operator in with an HttpOnly, SameSite=Strict session cookie", async () => {
    const login = await post("/login", { token: operatorTokens.bo });
    expect(login.status).toBe(200);
    const cookie = login.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^tongbao_console=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const session = await fetch(`${h.url}/api/session`, {
      headers: { cookie: cookie.split(";")[0] as string },
    });
    expect(await session.json()).toMatchObject({
      operator: "bo",
      csrf: expect.any(String),
      metro: { id: "test", acknowledgeWithinSeconds: 60 },
    });
    const page = await fetch(`${h.url}/`, { headers: { cookie: cookie.split(";")[0] as string } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("实时通报 Live feed");
  });

  it("accepts an operator's token as a bearer, for scripts", async () => {
    const response = await fetch(`${h.url}/api/session`, {
      headers: { authorization: `Bearer ${operatorTokens.ada}` },
    });
    expect(await response.json()).toMatchObject({ operator: "ada", csrf: null });
  });

  it("takes sign-ins as JSON only, so another site's form cannot sign a browser in", async () => {
    const form = await fetch(`${h.url}/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `token=${operatorTokens.ada}`,
    });
    expect(form.status).toBe(415);
    expect((await post("/login", {})).status).toBe(400);
  });

  it("refuses a state-changing request made with the cookie but without the CSRF token", async () => {
    const operator = await signIn(h.url);
    const forged = await operator.fetch("/api/dead-letters/redrive", {
      method: "POST",
      body: { all: true },
      csrf: false,
    });
    expect(forged.status).toBe(403);
    expect(await forged.json()).toEqual({ error: expect.stringMatching(/x-csrf-token/) });
    const genuine = await operator.fetch("/api/dead-letters/redrive", {
      method: "POST",
      body: { all: true },
    });
    expect(await genuine.json()).toEqual({ redriven: 0, skipped: 0 });
  });

  it("signs out: the session no longer opens anything", async () => {
    const operator = await signIn(h.url);
    expect((await operator.fetch("/api/session")).status).toBe(200);
    expect((await operator.fetch("/logout", { method: "POST", body: {} })).status).toBe(200);
    expect((await operator.fetch("/api/session")).status).toBe(401);
  });

  it("serves the page's own files with a policy that allows nothing from elsewhere", async () => {
    const script = await fetch(`${h.url}/assets/console.js`);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(script.headers.get("content-security-policy")).toMatch(/default-src 'self'; script-src 'self'/);
    expect((await fetch(`${h.url}/assets/..%2Fconsole.ts`)).status).toBe(404);
    expect((await fetch(`${h.url}/assets/nothing.js`)).status).toBe(404);
  });
});
