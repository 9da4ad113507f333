// The operators' console in a real browser: a whole metro (every service its own process), the
// February 2020 scenario, the console as `pnpm start` runs it, and Debian's Chromium signing in,
// watching a case published during the test reach the feed and every city acknowledge it.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { eventOf, freePorts } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../infra/fixtures/load.ts";
import { waitReady } from "../../infra/start/processes.ts";
import { ensureDemoOperator } from "../../services/console/src/index.ts";
import { type Browser, launchChromium, type Page } from "../../services/console/test/browser.ts";
import { root, startMetro, waitFor } from "../support/metro.ts";

const artifacts = join(root, "test", "artifacts");

/** A notice as a city system sends it over HTTP: no origin (its token says who). */
const asSent = ({ origin: _origin, ...event }: ReturnType<typeof eventOf>) => event;

const publishAs = async (
  api: (city: string, path: string, init: RequestInit) => Promise<Response>,
  city: string,
  event: ReturnType<typeof eventOf>,
) => {
  const response = await api(city, "/v1/events", {
    method: "POST",
    headers: { "content-type": "application/cloudevents+json" },
    body: JSON.stringify(asSent(event)),
  });
  expect(response.status).toBe(202);
  return (await response.json()) as { id: string };
};

/** `<city>:<state>` of each receipt chip of a notice in the feed. */
const receiptStates = async (page: Page, id: string) => {
  const chips = await page.locator(`#feed-list li[data-id="${id}"] .chip`).all();
  return Promise.all(
    chips.map(
      async (chip) => `${await chip.getAttribute("data-city")}:${await chip.getAttribute("data-state")}`,
    ),
  );
};

describe("the operators' console in Chromium", () => {
  it("signs in, shows a case published during the test in the feed, and its receipts fill in", async () => {
    await using running = await startMetro();
    await loadScenario(running.bus, join(root, "infra/fixtures/yrd-2020-02.ndjson"));
    const operator = ensureDemoOperator(join(running.dir, "console"));
    const [port] = (await freePorts(1)) as [number];
    running.services.supervisor.start("console", "services/console/src/main.ts", {
      NATS_URL: running.nats.url,
      METRO: join(running.dir, "metro.json"),
      CONSOLE_PORT: String(port),
      CONSOLE_OPERATORS_FILE: operator.file,
    });
    const consoleUrl = `http://127.0.0.1:${port}`;
    await waitReady("console", `${consoleUrl}/readyz`);

    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const context = await browser.newContext({
        viewport: { width: 1440, height: 1100 },
        locale: "zh-CN",
        timezoneId: "Asia/Shanghai",
      });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(error.message));
      page.on("requestfailed", (request) => {
        if (!request.url().endsWith("/api/feed")) problems.push(`${request.url()} failed`);
      });

      // Not signed in: the sign-in page. A city's gateway token does not open the console.
      await page.goto(consoleUrl);
      expect(new URL(page.url()).pathname).toBe("/login");
      await page.fill("#token", running.tokens.hangzhou as string);
      await page.click("button[type=submit]");
      await page.waitForSelector("#login-error:not([hidden])");
      expect(await page.textContent("#login-error")).toContain("Not an operator's token");

      await page.fill("#token", operator.token);
      await Promise.all([page.waitForURL(`${consoleUrl}/`), page.click("button[type=submit]")]);
      await page.waitForSelector('#feed-state[data-state="live"]');
      expect(await page.textContent("#operator")).toBe(operator.name);
      // The scenario's history is in the feed, and its risk map is drawn.
      await page.waitForSelector("#feed-list li.notice");
      await page.waitForSelector(
        "#risk-map .district.level-high, #risk-map .district[data-level^=medium], #risk-map .district[data-level^=low]",
      );

      // A drill and then a case, published by hangzhou's systems through the gateway.
      const drill = await publishAs(
        running.api,
        "hangzhou",
        eventOf("supply.requested", { origin: "hangzhou", status: "exercise" }),
      );
      const reported = await publishAs(
        running.api,
        "hangzhou",
        eventOf("case.reported", { origin: "hangzhou", subject: "HZ-2020-0301-042" }),
      );
      const row = page.locator(`#feed-list li[data-id="${reported.id}"]`);
      await row.waitFor();
      expect(await page.locator("#feed-list li.notice").first().getAttribute("data-id")).toBe(reported.id);
      expect(await row.textContent()).toContain("HZ-2020-0301-042");
      const drillRow = page.locator(`#feed-list li[data-id="${drill.id}"]`);
      await drillRow.waitFor();
      expect(await drillRow.getAttribute("class")).toContain("status-exercise");
      expect(await drillRow.locator(".badge.exercise").textContent()).toBe("演练 Exercise");

      // Its receipts fill in: every other city of the metro acknowledges it.
      const others = running.metro.cities.map((c) => c.id).filter((c) => c !== "hangzhou");
      await waitFor("every city's receipt", async () =>
        (await receiptStates(page, reported.id)).every((s) => s.endsWith(":acknowledged")),
      );
      expect((await receiptStates(page, reported.id)).sort()).toEqual(
        others.map((c) => `${c}:acknowledged`).sort(),
      );
      expect(await row.getAttribute("data-receipts")).toBe("complete");
      expect(await row.locator(".tally").textContent()).toBe(`${others.length}/${others.length}`);

      // Each city's relay row: nothing waits for any city's systems once all have acknowledged.
      const caughtUp = () => page.locator('#relays-body tr[data-state="caught-up"]').count();
      await waitFor(
        "every relay caught up in the relays panel",
        async () => (await caughtUp()) === running.metro.cities.length,
      );
      expect(await page.locator('#relays-body tr[data-city="suzhou"] td.count').textContent()).toBe("0");

      // The city filter keeps only what concerns that city.
      await page.selectOption("#feed-city", "suzhou");
      await page.waitForSelector(`#feed-list li[data-id="${reported.id}"]`, { state: "detached" });
      await page.selectOption("#feed-city", "");
      await row.waitFor();

      // The risk map as of a past moment, through the page's picker: 10 February had high-risk districts.
      await page.fill("#risk-as-of", "2020-02-10T12:00:00");
      await page.click("#risk-form button[type=submit]");
      await page.waitForSelector("#risk-caption:has-text('as of')");
      expect(await page.locator('#risk-map .district[data-level="high"]').count()).toBeGreaterThan(0);

      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, "console.png") });
      await page.screenshot({ path: join(artifacts, "console-full.png"), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await browser?.close();
    }
  }, 180_000); // a whole metro of processes and a browser: slow on a busy two-core machine
});
