import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

// Operators are not cities: their tokens live in their own store (a file or an environment variable
// of operator name → SHA-256 of the token), so no city's gateway token can open the console.

const OperatorName = z
  .string()
  .regex(/^[\p{L}\p{N}_.@-]{1,64}$/u, "operator names are 1-64 letters, digits, '_', '.', '@' or '-'");
const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/i, "must be the SHA-256 of the token, in hex");

/** Operator name → SHA-256 (hex) of the operator's token. */
export const OperatorHashes = z
  .record(OperatorName, Sha256Hex)
  .refine((hashes) => Object.keys(hashes).length > 0, "names no operator");
export type OperatorHashes = z.infer<typeof OperatorHashes>;

export class OperatorsError extends Error {
  override readonly name = "OperatorsError";
}

/** Parses the operators' JSON; the error names what is wrong, never a hash. */
export const parseOperators = (json: string, where: string): OperatorHashes => {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new OperatorsError(`${where} is not JSON (expected {"<operator>": "<sha256 hex of token>"})`);
  }
  const parsed = OperatorHashes.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`);
  throw new OperatorsError(`${where}: ${problems.join("; ")}`);
};

/** From inline JSON when given (CONSOLE_OPERATORS), else from the file (CONSOLE_OPERATORS_FILE). */
export const loadOperators = async (source: { json?: string; file: string }): Promise<OperatorHashes> => {
  if (source.json !== undefined) return parseOperators(source.json, "CONSOLE_OPERATORS");
  const text = await readFile(source.file, "utf8").catch((error: unknown) => {
    throw new OperatorsError(`cannot read the operators file ${source.file}`, { cause: error });
  });
  return parseOperators(text, source.file);
};

export const hashToken = (token: string): string => createHash("sha256").update(token, "utf8").digest("hex");

/**
 * The operator a token belongs to, or undefined. Every hash is compared, in constant time, without
 * stopping at a match: timing tells nothing about which operator a guess came close to.
 */
export const createOperatorCheck = (hashes: OperatorHashes) => {
  const known = Object.entries(hashes).map(([name, hex]) => ({ name, digest: Buffer.from(hex, "hex") }));
  return (token: string): string | undefined => {
    const digest = createHash("sha256").update(token, "utf8").digest();
    let found: string | undefined;
    for (const { name, digest: expected } of known) {
      if (timingSafeEqual(digest, expected) && found === undefined) found = name;
    }
    return found;
  };
};

/**
 * The demo's operator for `pnpm start`: a token made once and kept in `dir` (operator.token, clear,
 * for the person at the keyboard) and operators.json (its hash, what the console reads).
 */
export const ensureDemoOperator = (
  dir: string,
  name = "duty",
): { name: string; token: string; file: string } => {
  const tokenFile = join(dir, "operator.token");
  const file = join(dir, "operators.json");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const token = existsSync(tokenFile)
    ? readFileSync(tokenFile, "utf8").trim()
    : `tbop_${randomBytes(24).toString("base64url")}`;
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  writeFileSync(file, `${JSON.stringify({ [name]: hashToken(token) }, null, 2)}\n`, { mode: 0o600 });
  return { name, token, file };
};
