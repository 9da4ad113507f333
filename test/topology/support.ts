import type { Bus, Published } from "@tongbao/bus";
import { createGateway, hashToken } from "@tongbao/gateway";
import type { Metro } from "@tongbao/metro";
import { openReadModels } from "@tongbao/projections";
import { eventOf, waitFor as testkitWaitFor } from "@tongbao/testkit";

/** testkit's waitFor, with room for a cluster or a leaf metro to converge (default 60 s). */
export const waitFor = <T>(
  what: string,
  probe: () => T | false | undefined | Promise<T | false | undefined>,
  timeoutMs = 60_000,
) => testkitWaitFor(what, probe, timeoutMs);

/** `count` broadcasts from `origin`, each its own aggregate. */
export const broadcasts = (origin: string, count: number, label: string) =>
  Array.from({ length: count }, (_, i) =>
    eventOf("pass.issued", { origin, source: undefined, subject: `${label}-${origin}-${i}` }),
  );

/** Publishes and returns what was stored, failing on any outcome that is not stored. */
export const publishAll = async (bus: Bus, inputs: ReturnType<typeof broadcasts>): Promise<Published[]> => {
  const outcomes = await bus.publishMany(inputs, { window: 128 });
  return outcomes.map((outcome) => {
    if (!outcome.ok) throw outcome.error;
    return outcome.published;
  });
};

export interface Figures {
  readonly published: number;
  readonly stored: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly outOfOrder: number;
}

/**
 * Compares what a stream holds (ids per origin, in stream order) with what each origin published (in
 * the order its own stream stored them).
 */
export const compare = (
  expected: ReadonlyMap<string, readonly string[]>,
  stored: readonly { origin: string; id: string }[],
): Figures => {
  const seen = new Map<string, number>();
  for (const { id } of stored) seen.set(id, (seen.get(id) ?? 0) + 1);
  let published = 0;
  let lost = 0;
  let outOfOrder = 0;
  for (const [origin, ids] of expected) {
    published += ids.length;
    lost += ids.filter((id) => !seen.has(id)).length;
    const wanted = new Set(ids);
    const order = stored.filter((e) => e.origin === origin && wanted.has(e.id)).map((e) => e.id);
    const firstSeen = [...new Set(order)];
    const inPublishOrder = ids.filter((id) => seen.has(id));
    outOfOrder += firstSeen.filter((id, i) => id !== inPublishOrder[i]).length;
  }
  const duplicated = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
  return { published, stored: stored.length, lost, duplicated, outOfOrder };
};

export const report = (title: string, figures: Record<string, unknown>) => {
  process.stdout.write(`${title}: ${JSON.stringify(figures)}\n`);
};

/**
 * A city's gateway on a leaf-mode bus, over real HTTP on a free port, serving `serves` only; `call`
 * sends as a city (its token from `tokens`): a GET, or a POST of one CloudEvent.
 */
export const serveLeafGateway = async (options: {
  readonly bus: Bus;
  readonly metro: Metro;
  readonly tokens: Readonly<Record<string, string>>;
  readonly serves: readonly string[];
}) => {
  const app = createGateway({
    bus: options.bus,
    metro: options.metro,
    tokens: Object.fromEntries(Object.entries(options.tokens).map(([c, t]) => [c, hashToken(t)])),
    readModels: await openReadModels(options.bus, options.metro),
    serves: options.serves,
  });
  const base = await app.listen({ host: "127.0.0.1", port: 0 });
  const call = async (city: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: {
        authorization: `Bearer ${options.tokens[city]}`,
        ...(body !== undefined && { "content-type": "application/cloudevents+json" }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return { call, close: () => app.close() };
};
