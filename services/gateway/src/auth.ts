import { createHash, timingSafeEqual } from "node:crypto";
import { type Metro, readSecret } from "@tongbao/metro";

/** City → SHA-256 (hex) of its bearer token. Tokens are never kept in clear. */
export type TokenHashes = Readonly<Record<string, string>>;

export const hashToken = (token: string): string => createHash("sha256").update(token, "utf8").digest("hex");

/** Reads every city's token hash from the metro's secret references (environment or files). */
export const loadTokenHashes = async (
  metro: Metro,
  env: NodeJS.ProcessEnv = process.env,
  baseDir = process.cwd(),
): Promise<TokenHashes> => {
  const entries = await Promise.all(
    metro.cities.map(
      async (city) => [city.id, await readSecret(city.gatewayTokenSha256, env, baseDir)] as const,
    ),
  );
  return Object.fromEntries(entries);
};

const SHA256_HEX = /^[0-9a-f]{64}$/i;
const BEARER = /^Bearer +(\S+) *$/i;

/**
 * The city a bearer token belongs to, or undefined. The token's hash is compared with every city's,
 * in constant time and without stopping at the first match, so timing tells nothing about which
 * city's hash, or how much of it, a guess came close to.
 */
export const createAuthenticator = (hashes: TokenHashes) => {
  const known = Object.entries(hashes).map(([city, hex]) => {
    if (!SHA256_HEX.test(hex))
      throw new TypeError(`the gateway token hash of ${city} is not a SHA-256 in hex`);
    return { city, digest: Buffer.from(hex, "hex") };
  });
  return (authorization: string | undefined): string | undefined => {
    const token = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
    if (token === undefined) return undefined;
    const digest = createHash("sha256").update(token, "utf8").digest();
    let found: string | undefined;
    for (const { city, digest: expected } of known) {
      if (timingSafeEqual(digest, expected) && found === undefined) found = city;
    }
    return found;
  };
};
