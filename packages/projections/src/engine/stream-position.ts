import type { Bus } from "@tongbao/bus";
import type { StreamName } from "../model.ts";

/**
 * The sequence of the last message stored in a stream now: what "caught up" means. 0 when the
 * stream holds nothing, e.g. when every directed message has expired (its last sequence stays).
 */
export const lastSeqOf = (bus: Bus, stream: StreamName): Promise<number> => bus.lastSeq(stream);
