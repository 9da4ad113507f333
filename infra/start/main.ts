// `pnpm start`: the whole demo metro on this machine. An embedded nats-server (data under .tongbao/),
// every service of the Yangtze River Delta metro, a webhook sink standing in for each city's systems,
// and the February 2020 scenario, loaded once. Ctrl-C stops everything; the next start reuses the data.
// NATS_URL uses an existing server instead; METRO another metro definition.
import { join } from "node:path";
import { connectBus } from "@tongbao/bus";
import { ensureDemoOperator } from "@tongbao/console";
import { loadMetro, syncIntervalOf } from "@tongbao/metro";
import { loadScenario } from "../fixtures/load.ts";
import { ensureDemoSecrets } from "./demo-secrets.ts";
import { startMetroServices } from "./metro.ts";
import { startEmbeddedNats } from "./nats.ts";

const root = join(import.meta.dirname, "..", "..");
const say = (line = "") => process.stdout.write(`${line}\n`);
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

const metroFile = process.env.METRO ?? join(root, "infra/metros/yrd.json");
const metro = await loadMetro(metroFile);
const tokens = ensureDemoSecrets(metro, root);
const operator = ensureDemoOperator(join(root, ".tongbao", "demo"));

let embedded: Awaited<ReturnType<typeof startEmbeddedNats>> | undefined;
try {
  embedded = process.env.NATS_URL
    ? undefined
    : await startEmbeddedNats(root, port("TONGBAO_NATS_PORT", 14222), syncIntervalOf(metro));
} catch (error) {
  say(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
const natsUrl = process.env.NATS_URL ?? (embedded?.url as string);
const bus = await connectBus({ servers: natsUrl, name: "tongbao-start" }).catch(async (error: unknown) => {
  // An existing server older than Tongbao needs (NATS_URL): the message says which and what to do.
  say(`Tongbao could not start: ${error instanceof Error ? error.message : String(error)}`);
  await embedded?.stop();
  process.exit(1);
});

let stopping = false;
const services = await startMetroServices({
  root,
  metro,
  metroFile,
  natsUrl,
  logDir: join(root, ".tongbao", "logs"),
  gatewayPort: port("TONGBAO_GATEWAY_PORT", 18080),
  sinkPort: port("TONGBAO_SINK_PORT", 18090),
  console: { port: port("TONGBAO_CONSOLE_PORT", 18070), operatorsFile: operator.file },
  opsPortOf: (name) => {
    const base = port("TONGBAO_OPS_PORT", 18100);
    if (name === "projector") return base;
    if (name === "watchdog") return base + 1;
    if (name === "relays") return base + 2;
    return base + 3 + metro.cities.findIndex((city) => `relay-${city.id}` === name);
  },
  onUnexpectedExit: (name, code) => {
    if (!stopping) say(`! ${name} exited (code ${code}); see .tongbao/logs/${name}.log`);
  },
}).catch(async (error: unknown) => {
  say(`Tongbao could not start: ${error instanceof Error ? error.message : String(error)}`);
  await bus.close();
  await embedded?.stop();
  process.exit(1);
});

const scenario = await loadScenario(bus, join(root, "infra/fixtures/yrd-2020-02.ndjson"));

say(`Tongbao 通报 — ${metro.name}, ${metro.cities.length} cities`);
say(
  `  NATS        ${natsUrl}${embedded ? "  (embedded; data .tongbao/nats, log .tongbao/nats-server.log)" : ""}`,
);
say(`  gateway     ${services.gatewayUrl}   (API: /v1/events, /v1/stream, /v1/openapi.json)`);
say(`  console     ${services.consoleUrl}   (operators; sign in with the token below)`);
say(`  webhooks    ${services.sinkUrl}/hooks/<city>   (what each city's systems received)`);
say(`  logs        .tongbao/logs/<service>.log`);
say(
  `  scenario    February 2020: ${scenario.published} events published now, ${scenario.skipped} already there`,
);
say(`  operator    ${operator.name}: ${operator.token}   (.tongbao/demo/operator.token)`);
say("  tokens      .tongbao/demo/tokens.json (each city's gateway token)");
for (const [city, token] of Object.entries(tokens)) say(`    ${city.padEnd(10)} ${token}`);
say();
say(
  `Try: curl -H "Authorization: Bearer ${tokens.suzhou}" "${services.gatewayUrl}/v1/risk?asOf=2020-02-15T12:00:00%2B08:00"`,
);
say("Ctrl-C stops everything.");

const stop = async () => {
  if (stopping) return;
  stopping = true;
  say("stopping…");
  await services.stop();
  await bus.close();
  await embedded?.stop();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
