import { readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { Metro, type SecretRef } from "./schema.ts";

export class MetroDefinitionError extends Error {
  override readonly name = "MetroDefinitionError";
}

/** Reads and checks a metro definition; the error names every offending path. */
export const loadMetro = async (file: string): Promise<Metro> => {
  const text = await readFile(file, "utf8").catch((error: unknown) => {
    throw new MetroDefinitionError(`cannot read metro definition ${file}`, { cause: error });
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MetroDefinitionError(`${file} is not JSON`, { cause: error });
  }
  const parsed = Metro.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(metro)"}: ${i.message}`);
    throw new MetroDefinitionError(`${file} is not a valid metro definition: ${issues.join("; ")}`);
  }
  return parsed.data;
};

/** Reads a secret from the environment or a file (relative to `baseDir`); trims a final newline. */
export const readSecret = async (
  ref: SecretRef,
  env: NodeJS.ProcessEnv = process.env,
  baseDir = process.cwd(),
): Promise<string> => {
  if ("env" in ref) {
    const value = env[ref.env];
    if (value === undefined || value === "") throw new MetroDefinitionError(`secret ${ref.env} is not set`);
    return value.trim();
  }
  const path = isAbsolute(ref.file) ? ref.file : resolve(baseDir, ref.file);
  const value = await readFile(path, "utf8").catch((error: unknown) => {
    throw new MetroDefinitionError(`cannot read secret file ${ref.file}`, { cause: error });
  });
  return value.trim();
};

export const cityOf = (metro: Metro, id: string) => metro.cities.find((city) => city.id === id);
export const cityIds = (metro: Metro): string[] => metro.cities.map((city) => city.id);

/** Which cities and districts exist: what the deciders check every event against. */
export const metroViewOf = (metro: Metro) => {
  const cities = new Set(metro.cities.map((city) => city.id));
  const districts = new Map(
    metro.cities.flatMap((city) => city.districts.map((d) => [d.id, city.id] as const)),
  );
  return {
    hasCity: (city: string) => cities.has(city),
    cityOfDistrict: (district: string) => districts.get(district),
  };
};
