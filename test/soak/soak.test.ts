// The soak, short: 20 s through the gateway to 16 cities with their relays. Nothing lost, and no
// service's memory grows beyond a bound once warm (`pnpm soak` runs the five-minute version).
import { expect, it } from "vitest";
import { formatFigures, runSoak } from "./run.ts";

const WINDOW_MS = 5_000;
// Once warm (after the first window), a service may grow by this much over the rest of the run: far
// above what a steady service does in seconds, far below what keeping every notice would take.
const GROWTH_BOUND_MB = 64;

it("a short soak loses nothing and keeps every service's memory bounded", { timeout: 240_000 }, async () => {
  const figures = await runSoak({ rate: 20, seconds: 20, cities: 16, windowMs: WINDOW_MS });
  console.log(formatFigures(figures, WINDOW_MS));
  expect(figures.refused).toEqual({});
  expect(figures.accepted).toBe(figures.sent);
  expect(figures.lost).toBe(0);
  expect(figures.delivered).toBe(figures.expectedDeliveries);
  expect(figures.otherNotices).toBe(0);
  const growth = Object.entries(figures.rssMb)
    // The demo sink keeps every notice it got (it is the cities' record); nats-server caches the stream.
    .filter(([name]) => name !== "webhook-sink" && name !== "nats-server")
    .map(([name, mb]) => ({ name, mb: (mb.at(-1) ?? Number.NaN) - (mb[1] ?? Number.NaN) }));
  expect(growth.filter((g) => !(g.mb <= GROWTH_BOUND_MB))).toEqual([]);
});
