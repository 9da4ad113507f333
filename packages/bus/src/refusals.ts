import { type Refusal, RefusalKind } from "@tongbao/domain";
import {
  ConcurrencyConflictError,
  NotFoundError,
  PermissionDeniedError,
  RuleViolationError,
} from "./errors.ts";

/** The error a caller of publish gets when the aggregate's decider refuses the event. */
export const refusalError = (refusal: Refusal, prefix = ""): Error => {
  const message = `${prefix}${refusal.reason}`;
  switch (refusal.kind) {
    case RefusalKind.notYours:
      return new PermissionDeniedError(message);
    case RefusalKind.unknown:
      return new NotFoundError(message);
    case RefusalKind.conflict:
      return new ConcurrencyConflictError(message);
    case RefusalKind.rule:
      return new RuleViolationError(message);
    default: {
      const unexpected: never = refusal.kind;
      return unexpected;
    }
  }
};
