// Writes the catalog's JSON Schema files and AsyncAPI document into packages/events/generated, and
// removes what a fresh render no longer has. Run it with `pnpm generate` after changing the catalog.
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { renderGenerated } from "../src/export/render.ts";

const root = join(import.meta.dirname, "..", "generated");

const existingFiles = async (): Promise<string[]> => {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join("/"));
};

const rendered = renderGenerated();
const stale = (await existingFiles()).filter((path) => !rendered.has(path));
await Promise.all(stale.map((path) => rm(join(root, path))));
for (const [path, text] of rendered) {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
}
process.stdout.write(
  `generate: wrote ${rendered.size} files to ${relative(process.cwd(), root) || "."}, removed ${stale.length} stale\n`,
);
