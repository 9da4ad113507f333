import { caseDecider } from "./case/case.ts";
import type { AnyDecider } from "./decider.ts";
import { passDecider } from "./pass/pass.ts";
import { riskDecider } from "./risk/risk.ts";

/** Every aggregate with rules about who may act on it; an event type belongs to at most one. */
export const deciders: readonly AnyDecider[] = [caseDecider, passDecider, riskDecider];
