// @tongbao/projections — read models as pure folds over the log, their KV storage and queries.

export type { CasesOfDay, Tally } from "./cases/cases-daily.ts";
export { casesDailyModel } from "./cases/cases-daily.ts";
export type { Checkpoints } from "./engine/checkpoints.ts";
export { CHECKPOINT_BUCKET, openCheckpoints } from "./engine/checkpoints.ts";
export type {
  ModelStatus,
  Projector,
  ProjectorLogger,
  ProjectorOptions,
  ProjectorStatus,
  RebuildFigures,
} from "./engine/projector.ts";
export { createProjector } from "./engine/projector.ts";
export type {
  Measure,
  MeasureKind,
  MeasureState,
  MeasureVersion,
  PolicyDetails,
  TrafficDetails,
} from "./measures/measures.ts";
export { measureAt, measuresModel } from "./measures/measures.ts";
export type { AnyReadModel, Applied, Meta, ReadModel, Stored, StreamName } from "./model.ts";
export { folds } from "./model.ts";
export { readModels, readModelsNamed } from "./models.ts";
export type { Moment } from "./moment.ts";
export type { NoticeEntry } from "./notices/notices.ts";
export { noticeKey, noticesModel } from "./notices/notices.ts";
export type { CaseOwnership, CaseTransfer } from "./ownership/ownership.ts";
export { ownershipModel } from "./ownership/ownership.ts";
export type { PassCheck, PassState, PassStatus, Revocation } from "./passes/passes.ts";
export { checkPassAt, passesModel } from "./passes/passes.ts";
export type { ReadModels, RiskMap, RiskMapBasis, RiskMapDistrict } from "./queries/read-models.ts";
export { openReadModels } from "./queries/read-models.ts";
export type { DistrictRisk, RiskChange, RiskInForce } from "./risk/risk.ts";
export { riskAt, riskModel } from "./risk/risk.ts";
export type { SupplyEntry } from "./supplies/supplies.ts";
export { suppliesModel } from "./supplies/supplies.ts";
export type { OpenTraceRequest, TraceRequest } from "./traces/traces.ts";
export { isOpen, tracesModel } from "./traces/traces.ts";
