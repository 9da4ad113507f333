import type { ReadModels as ProjectedReadModels } from "@tongbao/projections";

/** What the gateway asks of the read models (`openReadModels` of @tongbao/projections gives it). */
export type ReadModels = Pick<ProjectedReadModels, "checkPass" | "riskMap" | "notice">;
