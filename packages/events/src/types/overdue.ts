import { createHash } from "node:crypto";
import { z } from "zod";
import { defineEvent } from "../definition.ts";
import { cityId, count, dateTime, token } from "../formats.ts";

// Raised by Tongbao itself (origin "metro"), never by a city system.

/**
 * The key of an overdue event: what was late, named by every city it belongs to as well as its id,
 * because ids are unique per city only — a city reusing another's id must not take its alarm's key.
 * City ids hold no `_`, so the parts stay apart; a key too long for a subject token is hashed.
 */
export const overdueKey = (...parts: readonly string[]): string => {
  const key = parts.join("_");
  return key.length <= 128 ? key : `h_${createHash("sha256").update(key).digest("hex")}`;
};

export const noticeOverdue = defineEvent({
  type: "notice.overdue",
  version: 1,
  audience: "broadcast",
  publisher: "metro",
  key: "eventId",
  summary: "A broadcast that not every city acknowledged within the metro's deadline.",
  data: z.strictObject({
    notice: z.strictObject({ eventId: token, type: z.string().min(1), origin: cityId, time: dateTime }),
    unacknowledged: z.array(cityId).min(1, "must name at least one city"),
    deadline: dateTime,
    lateBySeconds: count,
  }),
});

export const traceOverdue = defineEvent({
  type: "trace.overdue",
  version: 1,
  audience: "broadcast",
  publisher: "metro",
  key: "requestId",
  summary: "A trace request its target city did not answer by its due time. No personal data.",
  data: z.strictObject({
    requestingCity: cityId,
    targetCity: cityId,
    dueBy: dateTime,
    lateBySeconds: count,
  }),
});

/**
 * A city's relay has fallen behind: many notices wait for its systems and the oldest is past the
 * metro's deadline. Raised once per episode instead of a notice.overdue for each waiting notice;
 * the live lag is in the console and `tongbao relay status`. No personal data.
 */
export const relayBehind = defineEvent({
  type: "relay.behind",
  version: 1,
  audience: "broadcast",
  publisher: "metro",
  key: "city",
  summary: "A city's systems have not accepted many notices, the oldest past the deadline: said once.",
  data: z.strictObject({
    city: cityId,
    waiting: count,
    oldestWaitingSince: dateTime,
    secondsBehind: count,
    /** Set when the city paused its relay for maintenance: behind by its own choice, until then. */
    pausedUntil: dateTime.optional(),
  }),
});
