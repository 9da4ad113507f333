// @tongbao/projector — the process that keeps the read models current (see main.ts); the engine is
// createProjector in @tongbao/projections.
export { Config } from "./config.ts";
