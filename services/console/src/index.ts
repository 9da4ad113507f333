// @tongbao/console — the operators' web page and the API it uses.
export { ConsoleConfig } from "./config.ts";
export type { ConsoleOptions } from "./console.ts";
export { createConsole } from "./console.ts";
export type { Limits } from "./context.ts";
export { defaultLimits } from "./context.ts";
export type { NoticeView } from "./notices.ts";
export type { OperatorHashes } from "./operators.ts";
export {
  createOperatorCheck,
  ensureDemoOperator,
  hashToken,
  loadOperators,
  OperatorsError,
} from "./operators.ts";
