import { casesDailyModel } from "./cases/cases-daily.ts";
import { measuresModel } from "./measures/measures.ts";
import type { AnyReadModel } from "./model.ts";
import { noticesModel } from "./notices/notices.ts";
import { ownershipModel } from "./ownership/ownership.ts";
import { passesModel } from "./passes/passes.ts";
import { riskModel } from "./risk/risk.ts";
import { suppliesModel } from "./supplies/supplies.ts";
import { tracesModel } from "./traces/traces.ts";

/** Every read model the projector keeps. */
export const readModels: readonly AnyReadModel[] = [
  casesDailyModel,
  ownershipModel,
  riskModel,
  passesModel,
  measuresModel,
  tracesModel,
  suppliesModel,
  noticesModel,
];

/** The read models called `name` (all when absent); a clear error for a name that is not one. */
export const readModelsNamed = (
  name: string | undefined,
  models: readonly AnyReadModel[] = readModels,
): AnyReadModel[] => {
  if (name === undefined) return [...models];
  const model = models.find((m) => m.name === name);
  if (model === undefined)
    throw new TypeError(`"${name}" is not a read model (known: ${models.map((m) => m.name).join(", ")})`);
  return [model];
};
