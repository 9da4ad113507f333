// Writes the NATS configurations of a metro: `node infra/nats/generate.ts <metro.json> [outDir]`.
// Default outDir: infra/nats/generated/<metro id>/ (checked in for the demo metro; a test fails when
// the checked-in files are stale).
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { loadMetro } from "@tongbao/metro";
import { renderAll } from "./render.ts";

export const generatedDirOf = (metroId: string) =>
  join(dirname(fileURLToPath(import.meta.url)), "generated", metroId);

export const generate = async (metroFile: string, outDir?: string): Promise<string[]> => {
  const metro = await loadMetro(metroFile);
  const dir = outDir ?? generatedDirOf(metro.id);
  await mkdir(dir, { recursive: true });
  const files = renderAll(metro);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return Object.keys(files).map((name) => join(dir, name));
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // Default: the demo metro, whose generated files are checked in.
  const [metroFile = "infra/metros/yrd.json", outDir] = process.argv.slice(2);
  try {
    for (const file of await generate(metroFile, outDir))
      process.stdout.write(`wrote ${relative(process.cwd(), file)}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
