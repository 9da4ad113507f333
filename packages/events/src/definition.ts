import type { z } from "zod";

/** Who may read an event: every city (EVENTS stream) or only its target and origin (DIRECT). */
export const Audience = { broadcast: "broadcast", directed: "directed" } as const;
export type Audience = (typeof Audience)[keyof typeof Audience];

/** Who publishes an event type: a city's own systems, or Tongbao itself (overdue notices). */
export const Publisher = { city: "city", metro: "metro" } as const;
export type Publisher = (typeof Publisher)[keyof typeof Publisher];

export interface EventDefinition<
  Type extends string = string,
  Version extends number = number,
  Data extends z.ZodType = z.ZodType,
> {
  readonly type: Type;
  readonly version: Version;
  readonly audience: Audience;
  readonly publisher: Publisher;
  /** What the CloudEvents `subject` (the aggregate key, last subject token) identifies. */
  readonly key: string;
  readonly summary: string;
  readonly data: Data;
}

export const defineEvent = <const Type extends string, const Version extends number, Data extends z.ZodType>(
  definition: EventDefinition<Type, Version, Data>,
): EventDefinition<Type, Version, Data> => definition;
