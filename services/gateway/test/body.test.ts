import { describe, expect, it } from "vitest";
import { parseJsonBody } from "../src/body.ts";
import { HttpProblem } from "../src/problems.ts";

const problemOf = (body: string): HttpProblem => {
  try {
    parseJsonBody(Buffer.from(body));
  } catch (error) {
    expect(error).toBeInstanceOf(HttpProblem);
    return error as HttpProblem;
  }
  throw new Error("expected the body to be refused");
};

describe("request bodies", () => {
  // Regression: the fuzz run found deep nesting answered "not valid JSON" (a stack overflow in the
  // parser, caught as a parse error), which sent a caller looking for a syntax error that is not there.
  it.each([5_000, 120_000])("refuses JSON nested %i levels deep as too deep, not as invalid", (depth) => {
    for (const [open, close] of [
      ["[", "]"],
      ['{"a":', "}"],
    ] as const) {
      const problem = problemOf(`{"data":${open.repeat(depth)}1${close.repeat(depth)}}`);
      expect(problem.status).toBe(400);
      expect(problem.message).toBe("the body is nested too deeply");
    }
  });

  it("still parses ordinary nesting, and still calls broken JSON broken", () => {
    expect(parseJsonBody(Buffer.from(`{"a":${"[".repeat(50)}1${"]".repeat(50)}}`))).toBeTypeOf("object");
    expect(problemOf('{"a": [1, 2').message).toMatch(/^the body is not valid JSON/);
  });

  it("refuses a __proto__ key however it is spelled, in small bodies and large", () => {
    const padding = `"pad":"${"x".repeat(5_000)}",`;
    for (const key of ["__proto__", "\\u005f_proto__", "\\u005F\\u005Fproto__"]) {
      for (const pad of ["", padding]) {
        expect(problemOf(`{${pad}"data":{"${key}":{"polluted":true}}}`).message).toMatch(/__proto__/);
      }
    }
    expect(parseJsonBody(Buffer.from('{"note":"caf\\u00e9"}'))).toEqual({ note: "café" });
  });
});
