// @tongbao/watchdog — raises notice.overdue and trace.overdue, each once.
export type { WatchedMetro } from "./metro.ts";
export type { Watchdog, WatchdogOptions } from "./watchdog.ts";
export { createWatchdog } from "./watchdog.ts";
