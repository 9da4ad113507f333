import { z } from "zod";

// zod's ahead-of-time compiler turns a schema into generated code that validates valid input several
// times faster, and hands anything it would refuse to the ordinary parser, which then reports the
// same issues. Publish and replay run every event through these, so they use compiled clones; the
// originals stay for JSON Schema export.
const compiled = new WeakMap<z.ZodType, z.ZodType>();

export const fast = <T extends z.ZodType>(schema: T): T => {
  let clone = compiled.get(schema);
  if (clone === undefined) {
    clone = z.compile(schema);
    compiled.set(schema, clone);
  }
  return clone as T;
};
