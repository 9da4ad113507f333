import { caseDecider } from "./case/case.ts";
import type { AnyDecider } from "./decider.ts";

/** Every aggregate with rules about who may act on it; an event type belongs to at most one. */
export const deciders: readonly AnyDecider[] = [caseDecider];
