import { cityId, METRO_ORIGIN, token } from "@tongbao/events";
import { z } from "zod";

/** Where a secret is kept: never in the repository, always in the environment or a file. */
export const SecretRef = z.union([
  z.strictObject({ env: z.string().regex(/^[A-Z][A-Z0-9_]*$/, "must be an environment variable name") }),
  z.strictObject({ file: z.string().min(1, "must name a file") }),
]);
export type SecretRef = z.infer<typeof SecretRef>;

export const District = z.strictObject({
  /** Unique in the metro, prefixed by the city: "hangzhou-xiaoshan". */
  id: token,
  name: z.string().min(1),
});

/** How a city's own systems receive notices. */
export const Delivery = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("webhook"),
    urls: z.array(z.url({ protocol: /^https?$/, error: "must be an http(s) URL" })).min(1, "must list a URL"),
    /** HMAC-SHA256 key for the Standard Webhooks signature. */
    secret: SecretRef,
    timeoutMs: z.number().int().positive().default(5_000),
    /**
     * The city's systems take notices in CloudEvents' JSON batch mode: at most `maxNotices` per
     * request, each request sent at most `maxWaitMs` after its first notice came. Absent: one
     * notice per request.
     */
    batch: z
      .strictObject({
        maxNotices: z.number().int().min(2, "must be at least 2").max(1_000, "must be at most 1000"),
        maxWaitMs: z.number().int().min(1).max(10_000, "must be at most 10000").default(50),
      })
      .optional(),
  }),
  // No webhook: the city reads from Tongbao itself; its relay records a receipt once it stored the notice.
  z.strictObject({ kind: z.literal("store") }),
]);
export type Delivery = z.infer<typeof Delivery>;

/**
 * How JetStream writes to disk. `always` (the default): every write is fsynced before it is
 * acknowledged, so nothing acknowledged is lost on power loss. An interval ("1s", "2m") trades that
 * for throughput: a single server or a city's leaf node may lose up to that long of acknowledged
 * events on power loss (an R3 cluster loses them only if every node loses power at once).
 */
export const SyncInterval = z.union([
  z.literal("always"),
  z.string().regex(/^[1-9][0-9]*(ms|s|m)$/, 'must be "always" or an interval such as "1s" or "2m"'),
]);
export type SyncInterval = z.infer<typeof SyncInterval>;

export const Durability = z.strictObject({ syncInterval: SyncInterval.default("always") });

export const City = z.strictObject({
  // `metro` is Tongbao's own origin: a city of that name could speak as Tongbao.
  id: cityId.refine((id) => id !== METRO_ORIGIN, `"${METRO_ORIGIN}" is reserved for Tongbao's own events`),
  name: z.string().min(1),
  districts: z.array(District).min(1, "must list at least one district"),
  delivery: Delivery,
  /** The city systems' bearer token for the gateway, kept as its SHA-256 (hex), never in clear. */
  gatewayTokenSha256: SecretRef,
});
export type City = z.infer<typeof City>;

export const Metro = z
  .strictObject({
    id: token,
    name: z.string().min(1),
    timeZone: z.string().min(1),
    /** A broadcast every city has not acknowledged within this is overdue. */
    acknowledgeWithinSeconds: z.number().int().positive(),
    /** Durable by default; see SyncInterval. */
    durability: Durability.default({ syncInterval: "always" }),
    cities: z.array(City).min(2, "a metro has at least two cities"),
  })
  .superRefine((metro, ctx) => {
    const seen = new Set<string>();
    metro.cities.forEach((city, i) => {
      if (seen.has(city.id))
        ctx.addIssue({ code: "custom", path: ["cities", i, "id"], message: "is used twice" });
      seen.add(city.id);
      city.districts.forEach((district, j) => {
        if (!district.id.startsWith(`${city.id}-`)) {
          ctx.addIssue({
            code: "custom",
            path: ["cities", i, "districts", j, "id"],
            message: `must start with "${city.id}-"`,
          });
        }
      });
    });
  });
export type Metro = z.infer<typeof Metro>;
