// The demo metro's secrets, made on the first `pnpm start` and kept under .tongbao/demo/: a gateway
// token per city (only its SHA-256 is what the gateway reads) and a webhook signing secret per city.
// A real metro provisions these itself; the metro definition only says where they are.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import type { Metro, SecretRef } from "@tongbao/metro";

const writeSecret = (path: string, value: string) => {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
};

const fileOf = (root: string, ref: SecretRef): string | undefined =>
  "file" in ref ? (isAbsolute(ref.file) ? ref.file : join(root, ref.file)) : undefined;

/** Makes the missing secrets and returns every city's gateway token (also in tokens.json). */
export const ensureDemoSecrets = (metro: Metro, root: string): Record<string, string> => {
  const tokensFile = join(root, ".tongbao", "demo", "tokens.json");
  const tokens: Record<string, string> = existsSync(tokensFile)
    ? JSON.parse(readFileSync(tokensFile, "utf8"))
    : {};
  for (const city of metro.cities) {
    tokens[city.id] ??= `tb_${city.id}_${randomBytes(24).toString("base64url")}`;
    const hashFile = fileOf(root, city.gatewayTokenSha256);
    if (hashFile !== undefined) {
      writeSecret(
        hashFile,
        createHash("sha256")
          .update(tokens[city.id] as string)
          .digest("hex"),
      );
    }
    if (city.delivery.kind === "webhook") {
      const secretFile = fileOf(root, city.delivery.secret);
      // Standard Webhooks secrets: "whsec_" and 24–64 random bytes in base64.
      if (secretFile !== undefined && !existsSync(secretFile)) {
        writeSecret(secretFile, `whsec_${randomBytes(32).toString("base64")}`);
      }
    }
  }
  writeSecret(tokensFile, JSON.stringify(tokens, null, 2));
  return tokens;
};
