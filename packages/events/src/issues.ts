import type { z } from "zod";

/** One offending place in an event: a path like `data.exposure[0].city` and what is wrong there. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * Thrown when an event does not match the catalog. Its message lists every offending path. It never
 * repeats the offending values: they may be personal data, and errors end up in logs.
 */
export class EventValidationError extends Error {
  override readonly name: string = "EventValidationError";
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], options?: ErrorOptions) {
    super(`invalid event: ${issues.map((i) => `${i.path || "(event)"}: ${i.message}`).join("; ")}`, options);
    this.issues = issues;
  }
}

/**
 * Thrown when a stored event's body names another origin, target, type or key than the subject it
 * was stored under. NATS permissions bind a city to its own subjects, so the subject says who spoke:
 * such a body is another city's words in someone else's mouth, never delivered, folded or shown.
 */
export class ImpersonationError extends EventValidationError {
  override readonly name = "ImpersonationError";
}

export const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((out, part) => {
    if (typeof part === "number") return `${out}[${part}]`;
    return out === "" ? String(part) : `${out}.${String(part)}`;
  }, "");

const article = (noun: string) => (/^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`);

// zod's own messages start like this; anything else was written for this catalog and is kept.
const isGenericMessage = (message: string) => /^(Invalid|Too small|Too big|Expected)/.test(message);

const describeLimit = (issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, bound: "least" | "most") => {
  const limit = "minimum" in issue ? issue.minimum : issue.maximum;
  switch (issue.origin) {
    case "string":
      return `must be at ${bound} ${String(limit)} characters`;
    case "array":
      return `must have at ${bound} ${String(limit)} items`;
    default:
      return `must be at ${bound} ${String(limit)}`;
  }
};

const describe = (issue: z.core.$ZodIssue): string => {
  if ((issue.code === "invalid_type" || issue.code === "invalid_value") && issue.input === undefined) {
    return "is required";
  }
  if (!isGenericMessage(issue.message)) return issue.message;
  switch (issue.code) {
    case "invalid_type":
      return `must be ${article(issue.expected)}`;
    case "invalid_value":
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of: ${issue.values.map((v) => String(v)).join(", ")}`;
    case "too_small":
      return describeLimit(issue, "least");
    case "too_big":
      return describeLimit(issue, "most");
    case "invalid_format":
      return `must be a valid ${issue.format}`;
    default:
      return issue.message;
  }
};

/** Turns zod issues into ours, one per offending path, under a path prefix such as "data". */
export const toIssues = (
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): ValidationIssue[] =>
  issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        path: formatPath([...path, key]),
        message: "is not a known attribute",
      }));
    }
    return [{ path: formatPath(path), message: describe(issue) }];
  });
