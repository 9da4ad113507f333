import { currentDefinition } from "./catalog.ts";
import { isCityId, isToken } from "./formats.ts";

// Broadcasts: evt.<origin>.<domain>.<action>.<key>
// Directed:   dm.<target>.<origin>.<domain>.<action>.<key>
// Every token is checked, so an id can never forge or widen a subject.

export const SubjectSpace = { events: "evt", direct: "dm" } as const;

export interface SubjectParts {
  readonly origin: string;
  readonly type: string;
  readonly key: string;
  /** The target city, for directed events only. */
  readonly audience?: string;
}

export class SubjectError extends Error {
  override readonly name = "SubjectError";
}

const typeTokens = (type: string): [string, string] => {
  const [domain, action, ...rest] = type.split(".");
  if (
    domain === undefined ||
    action === undefined ||
    rest.length > 0 ||
    !isToken(domain) ||
    !isToken(action)
  ) {
    throw new SubjectError(`event type "${type}" must be <domain>.<action>`);
  }
  return [domain, action];
};

const checkCity = (what: string, value: string) => {
  if (!isCityId(value)) throw new SubjectError(`${what} is not a valid city id`);
};
const checkKey = (value: string) => {
  if (!isToken(value)) throw new SubjectError("key is not a valid subject token");
};

/** The subject an event is stored under. */
export const subjectOf = (event: SubjectParts): string => {
  checkCity("origin", event.origin);
  checkKey(event.key);
  const [domain, action] = typeTokens(event.type);
  if (event.audience === undefined) return `evt.${event.origin}.${domain}.${action}.${event.key}`;
  checkCity("audience", event.audience);
  return `dm.${event.audience}.${event.origin}.${domain}.${action}.${event.key}`;
};

/**
 * The subject of an event that validateEvent has accepted: its tokens are known to be safe, so they
 * are not checked again on the publish path.
 */
export const subjectOfValidEvent = (event: {
  readonly origin: string;
  readonly type: string;
  readonly subject: string;
  readonly audience?: string | undefined;
}): string =>
  event.audience === undefined
    ? `evt.${event.origin}.${event.type}.${event.subject}`
    : `dm.${event.audience}.${event.origin}.${event.type}.${event.subject}`;

/** Reads a stored subject back into origin, type, key (and target for directed events). */
export const parseSubject = (subject: string): SubjectParts => {
  const tokens = subject.split(".");
  if (tokens[0] === SubjectSpace.events && tokens.length === 5) {
    const [, origin, domain, action, key] = tokens as [string, string, string, string, string];
    return checked({ origin, type: `${domain}.${action}`, key });
  }
  if (tokens[0] === SubjectSpace.direct && tokens.length === 6) {
    const [, audience, origin, domain, action, key] = tokens as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    return checked({ origin, type: `${domain}.${action}`, key, audience });
  }
  throw new SubjectError(`"${subject}" is not a Tongbao event subject`);
};

const checked = (parts: SubjectParts): SubjectParts => {
  subjectOf(parts);
  return parts;
};

export interface SubjectFilter {
  readonly origin?: string;
  readonly type?: string;
  readonly key?: string;
  /** Directed messages for this city (DIRECT), or `*` for every city's; absent means broadcasts. */
  readonly audience?: string;
}

/** In a filter, the audience of directed messages to every city (metro services and operators). */
export const ANY_AUDIENCE = "*";

/** One NATS filter subject for a filter; unset parts become `*`. */
export const filterSubject = (filter: SubjectFilter): string => {
  if (filter.origin !== undefined) checkCity("origin", filter.origin);
  if (filter.key !== undefined) checkKey(filter.key);
  const [domain, action] = filter.type === undefined ? ["*", "*"] : typeTokens(filter.type);
  if (filter.type !== undefined && currentDefinition(filter.type) === undefined) {
    throw new SubjectError(`"${filter.type}" is not an event type of the catalog`);
  }
  const tail = `${filter.origin ?? "*"}.${domain}.${action}.${filter.key ?? "*"}`;
  if (filter.audience === undefined) return `evt.${tail}`;
  if (filter.audience !== ANY_AUDIENCE) checkCity("audience", filter.audience);
  return `dm.${filter.audience}.${tail}`;
};

/**
 * The aggregate a stored subject belongs to, as `<domain>.<key>`, whatever its origin, action or
 * (directed) target: what must be handled in order. Unchecked and cheap, for every delivery.
 */
export const aggregateOfSubject = (subject: string): string => {
  const t = subject.split(".");
  if (t[0] === SubjectSpace.events && t.length === 5) return `${t[2]}.${t[4]}`;
  if (t[0] === SubjectSpace.direct && t.length === 6) return `${t[3]}.${t[5]}`;
  return subject;
};

/**
 * Every subject an aggregate's events are stored under, whoever published them, as one wildcard: a
 * case's `evt.*.case.*.<caseId>`, a trace request's `dm.*.*.trace.*.<requestId>` (both directions).
 * JetStream checks an append against it (Nats-Expected-Last-Subject-Sequence-Subject).
 */
export const aggregateSubject = (domain: string, key: string, directed = false): string => {
  if (!isToken(domain)) throw new SubjectError("domain is not a valid subject token");
  checkKey(key);
  return directed ? `dm.*.*.${domain}.*.${key}` : `evt.*.${domain}.*.${key}`;
};
