// Run: `pnpm soak` (or `node test/soak/soak.ts`). Env: SOAK_RATE (events/s through the gateway,
// default 50), SOAK_MINUTES (default 5), SOAK_CITIES (default 16), SOAK_WINDOW_SECONDS (default 60).
// Every event fans out to every other city's webhook: at 50 events/s, 750 webhooks/s in all (the
// relays of 16 cities in one process deliver about 3,000 a second on a 2-core machine, `pnpm bench`).
import { formatFigures, runSoak } from "./run.ts";

const rate = Number(process.env.SOAK_RATE ?? 50);
const minutes = Number(process.env.SOAK_MINUTES ?? 5);
const cities = Number(process.env.SOAK_CITIES ?? 16);
const windowMs = Number(process.env.SOAK_WINDOW_SECONDS ?? 60) * 1000;

const figures = await runSoak({
  rate,
  seconds: minutes * 60,
  cities,
  windowMs,
  log: (line) => console.log(line),
});
console.log(formatFigures(figures, windowMs));
const refused = Object.values(figures.refused).reduce((a, b) => a + b, 0);
if (figures.lost > 0 || refused > 0) {
  console.error(`soak FAILED: ${figures.lost} deliveries lost, ${refused} requests refused`);
  process.exitCode = 1;
}
