import { Metro } from "@tongbao/metro";

/**
 * A metro of store-kind cities for tests: each city has one district `<id>-centre` and its gateway
 * token hash in `<ID>_TOKEN_SHA256`; receipts are recorded once a relay has a notice.
 */
export const storeMetro = (cities: readonly string[], options: { acknowledgeWithinSeconds?: number } = {}) =>
  Metro.parse({
    id: "test",
    name: "test metro",
    timeZone: "Asia/Shanghai",
    acknowledgeWithinSeconds: options.acknowledgeWithinSeconds ?? 60,
    cities: cities.map((id) => ({
      id,
      name: id,
      districts: [{ id: `${id}-centre`, name: "centre" }],
      delivery: { kind: "store" },
      gatewayTokenSha256: { env: `${id.toUpperCase()}_TOKEN_SHA256` },
    })),
  });
