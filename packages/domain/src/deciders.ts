import { caseDecider } from "./case/case.ts";
import type { AnyDecider } from "./decider.ts";
import { policyDecider, trafficDecider } from "./measure/measure.ts";
import { passDecider } from "./pass/pass.ts";
import { personDecider } from "./person/person.ts";
import { riskDecider } from "./risk/risk.ts";
import { supplyDecider } from "./supply/supply.ts";
import { traceDecider } from "./trace/trace.ts";

/** Every aggregate with rules about who may act on it; an event type belongs to at most one. */
export const deciders: readonly AnyDecider[] = [
  caseDecider,
  passDecider,
  riskDecider,
  traceDecider,
  personDecider,
  policyDecider,
  trafficDecider,
  supplyDecider,
];
