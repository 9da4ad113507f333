import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { collectDefaultMetrics, Registry } from "prom-client";

export type ReadinessCheck = () => boolean | Promise<boolean>;

export interface OpsServer {
  readonly url: string;
  readonly registry: Registry;
  close(): Promise<void>;
}

/**
 * /healthz (the process answers), /readyz (every check passes: is NATS connected, are the consumers
 * running) and /metrics (Prometheus text format) for a service without an HTTP face of its own.
 */
export const startOpsServer = async (options: {
  port: number;
  host?: string;
  checks: Record<string, ReadinessCheck>;
  registry?: Registry;
}): Promise<OpsServer> => {
  const registry = options.registry ?? new Registry();
  collectDefaultMetrics({ register: registry });
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz")
      return void res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    if (path === "/readyz") {
      const results = await Promise.all(
        Object.entries(options.checks).map(async ([name, check]) => [
          name,
          await Promise.resolve(check()).catch(() => false),
        ]),
      );
      const ready = results.every(([, ok]) => ok === true);
      res.writeHead(ready ? 200 : 503, { "content-type": "application/json" });
      return void res.end(
        JSON.stringify({ status: ready ? "ready" : "not ready", checks: Object.fromEntries(results) }),
      );
    }
    if (path === "/metrics") {
      res.writeHead(200, { "content-type": registry.contentType });
      return void res.end(await registry.metrics());
    }
    res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    registry,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
