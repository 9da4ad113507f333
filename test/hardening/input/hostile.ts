// Hostile and malformed requests for the gateway fuzz run, drawn from a seeded generator so that a
// failing request can be reproduced. Every request carries a marker (in its body, path, query or
// token) that must never show up in the gateway's log.
import { examples } from "@tongbao/events";

export interface Hostile {
  readonly kind: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer;
  /** The status it must get, when only one is right. */
  readonly status?: number;
  /** An `issues` entry with this path must be in the answer. */
  readonly issuePath?: string;
  /** The error message must contain this. */
  readonly error?: string;
}

export const MARK = "FUZZMARK";
export const TOKEN_MARK = "FUZZTOKEN";

/** mulberry32: small, seeded, good enough to pick cases. */
export const rngOf = (seed: number) => {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick };
};
type Rng = ReturnType<typeof rngOf>;

export interface FuzzContext {
  readonly tokens: Readonly<Record<string, string>>;
  /** A case that hangzhou reported: any other city appending to it is refused. */
  readonly hangzhouCase: string;
}

const CITY = "shanghai";
const json = { "content-type": "application/cloudevents+json" };
const event = (marker: string, patch: Record<string, unknown> = {}) => ({
  ...examples["policy.changed"],
  origin: undefined,
  subject: marker,
  data: { ...examples["policy.changed"].data, scope: { city: CITY }, summary: `${marker} 复工` },
  ...patch,
});
const send = (value: unknown) => JSON.stringify(value);

type Make = (n: number, r: Rng, c: FuzzContext) => Omit<Hostile, "kind">;

const auth = (c: FuzzContext) => ({ authorization: `Bearer ${c.tokens[CITY]}` });
const post = (c: FuzzContext, body: string | Buffer, extra: Record<string, string> = json) => ({
  method: "POST",
  path: "/v1/events",
  headers: { ...auth(c), ...extra },
  body,
});

const routes = (m: string) => [
  ["POST", "/v1/events"],
  ["GET", `/v1/events?key=${m}`],
  ["GET", "/v1/stream"],
  ["GET", "/v1/risk"],
  ["GET", `/v1/passes/${m}`],
  ["GET", `/v1/notices/${m}/receipts`],
];

const wrongKinds = [42, -1.5, true, null, [], {}, "FUZZ", [1, 2], { nested: { x: 1 } }];

/** Every leaf and branch of a JSON value, as a path and a setter on a copy. */
const places = (value: unknown, path: string): string[] => {
  if (Array.isArray(value)) return [path, ...value.flatMap((v, i) => places(v, `${path}[${i}]`))];
  if (typeof value === "object" && value !== null)
    return [path, ...Object.entries(value).flatMap(([k, v]) => places(v, `${path}.${k}`))];
  return [path];
};
const setPath = (root: Record<string, unknown>, path: string, value: unknown) => {
  const parts = path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== "");
  let node = root as Record<string, unknown>;
  for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>;
  node[parts[parts.length - 1] as string] = value;
};
const kindOf = (v: unknown) => (Array.isArray(v) ? "array" : v === null ? "null" : typeof v);

const nested = (depth: number, open: string, close: string, leaf: string) =>
  `${open.repeat(depth)}${leaf}${close.repeat(depth)}`;

const poisonTokens = (m: string) => [
  `${m}.evt.>`,
  "*",
  ">",
  `${m} x`,
  `${m}\tx`,
  `${m}\u3000x`,
  "",
  `${m}.*`,
];

export const makers: Record<string, Make> = {
  "no token": (n, r) => {
    const [method, path] = r.pick(routes(`${MARK}${n}`)) as [string, string];
    return {
      method,
      path,
      headers: method === "POST" ? json : {},
      ...(method === "POST" && { body: send(event(`${MARK}${n}`)) }),
      status: 401,
    };
  },
  "forged token": (n, r, c) => {
    const forged = `${TOKEN_MARK}${n}`;
    const authorization = r.pick([
      `Bearer ${forged}`,
      `Bearer ${c.tokens[CITY]}${forged}`,
      `Basic ${Buffer.from(`${CITY}:${forged}`).toString("base64")}`,
      "Bearer",
      `Bearer ${forged} ${forged}`,
      `${forged}`,
      `Bearer ${forged.repeat(600)}`,
    ]);
    const [method, path] = r.pick(routes(`${MARK}${n}`)) as [string, string];
    return {
      method,
      path,
      headers: { authorization, ...(method === "POST" ? json : {}) },
      ...(method === "POST" && { body: send(event(`${MARK}${n}`)) }),
      status: 401,
    };
  },
  "wrong content type": (n, r, c) => {
    const type = r.pick([
      "text/plain",
      "application/xml",
      "multipart/form-data; boundary=x",
      "application/x-www-form-urlencoded",
      "application/jsonx",
      "application/cloudevents",
      "text/html; charset=utf-8",
    ]);
    return { ...post(c, send(event(`${MARK}${n}`)), { "content-type": type }), status: 415 };
  },
  "no content type": (n, _r, c) => ({ ...post(c, Buffer.from(send(event(`${MARK}${n}`))), {}), status: 415 }),
  "invalid UTF-8": (n, r, c) => {
    const bad = r.pick([
      [0xff],
      [0xc3, 0x28],
      [0xed, 0xa0, 0x80],
      [0xe2, 0x82],
      [0xf8, 0x88, 0x80, 0x80, 0x80],
    ]);
    const text = send(event(`${MARK}${n}`));
    const at = text.indexOf("复工");
    const body = Buffer.concat([
      Buffer.from(text.slice(0, at)),
      Buffer.from(bad),
      Buffer.from(text.slice(at)),
    ]);
    return { ...post(c, body), status: 400 };
  },
  "not JSON": (n, r, c) => {
    const m = `${MARK}${n}`;
    const body = r.pick([
      `{"type": ${m}}`,
      `{'subject':'${m}'}`,
      `[1,2,"${m}"`,
      "NaN",
      `{"subject":"${m}",}`,
      m,
      "   ",
      `{"subject":"${m}"}{}`,
    ]);
    return { ...post(c, body), status: 400 };
  },
  "wrong types": (n, r, c) => {
    const m = `${MARK}${n}`;
    const type = r.pick(Object.keys(examples)) as keyof typeof examples;
    const base = structuredClone({ ...examples[type], origin: undefined, subject: m }) as Record<
      string,
      unknown
    >;
    const path = r.pick(places(base.data, "data").slice(1));
    let value = r.pick(wrongKinds);
    // Nothing in the catalog takes two kinds of value: a value of another kind is always wrong.
    let old: unknown = base;
    for (const part of path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== ""))
      old = (old as Record<string, unknown>)[part];
    while (kindOf(value) === kindOf(old)) value = r.pick(wrongKinds);
    setPath(base, path, value);
    return { ...post(c, send(base)), status: 400, issuePath: path };
  },
  "huge string": (n, r, c) => {
    const size = r.pick([5_000, 50_000, 300_000, 1_200_000]);
    const body = send(
      event(`${MARK}${n}`, { data: { ...event("x").data, summary: `${MARK}${n}${"测".repeat(size / 3)}` } }),
    );
    return { ...post(c, body), ...(size < 1_000_000 && { issuePath: "data.summary" }) };
  },
  "deep nesting": (n, r, c) => {
    const depth = r.pick([100, 5_000, 50_000, 120_000]);
    const [open, close, inside] = r.pick([
      ["[", "]", ""],
      ['{"a":', "}", ".a"],
    ]) as [string, string, string];
    const inner = nested(depth, open, close, `"${MARK}${n}"`);
    const where = r.pick(["data", "extra", "data.scope"]);
    const text =
      where === "data"
        ? `{"type":"policy.changed","subject":"${MARK}${n}","data":${inner}}`
        : where === "extra"
          ? `{"type":"policy.changed","subject":"${MARK}${n}","data":{},"extra":${inner}}`
          : send(event(`${MARK}${n}`)).replace('"scope":{"city":"shanghai"}', `"scope":${inner}`);
    // Shallow enough to parse: the issues name where the nesting does not belong.
    if (depth === 100)
      return { ...post(c, text), status: 400, issuePath: where === "extra" ? "extra" : `${where}${inside}` };
    return { ...post(c, text), status: 400, error: "nested too deeply" };
  },
  "subject tokens": (n, r, c) => {
    const m = `${MARK}${n}`;
    const poison = r.pick(poisonTokens(m));
    const variant = r.int(6);
    if (variant === 0)
      return { ...post(c, send(event(m, { subject: poison }))), status: 400, issuePath: "subject" };
    if (variant === 1) return { ...post(c, send(event(m, { id: poison }))), status: 400, issuePath: "id" };
    if (variant === 2) {
      const data = { ...event(m).data, scope: { city: poison } };
      return { ...post(c, send(event(m, { data }))), status: 400, issuePath: "data.scope.city" };
    }
    const encoded = encodeURIComponent(poison);
    const path = r.pick([
      `/v1/passes/${encoded}`,
      `/v1/notices/${encoded}/receipts`,
      `/v1/events?key=${encoded}`,
      `/v1/events?origin=${encoded}`,
      `/v1/stream?origin=${encoded}`,
      `/v1/events?type=${encodeURIComponent(`case.${poison}`)}`,
    ]);
    return { method: "GET", path, headers: auth(c) };
  },
  "another city's name": (n, r, c) => {
    const m = `${MARK}${n}`;
    const variant = r.int(5);
    if (variant === 0)
      return {
        ...post(c, send(event(m, { origin: r.pick(["hangzhou", "suzhou", "ningbo"]) }))),
        status: 403,
      };
    if (variant === 1) return { ...post(c, send(event(m, { origin: "metro" }))), status: 403 };
    if (variant === 2)
      return {
        ...post(c, send(event(m, { source: `/cities/hangzhou/${m}` }))),
        status: 400,
        issuePath: "source",
      };
    if (variant === 3) {
      const closed = { ...examples["case.closed"], origin: undefined, subject: c.hangzhouCase, id: m };
      return { ...post(c, send(closed)), status: 403 };
    }
    const overdue = { ...examples["notice.overdue"], origin: undefined, subject: m };
    return { ...post(c, send(overdue)), status: 400, issuePath: "type" };
  },
  batch: (n, r, c) => {
    const m = `${MARK}${n}`;
    const batch = { "content-type": "application/cloudevents-batch+json" };
    const variant = r.int(5);
    if (variant === 0) {
      const events = Array.from({ length: 1001 + r.int(50) }, (_, i) => event(`${m}-${i}`));
      return { ...post(c, send(events), batch), status: 413 };
    }
    if (variant === 1) return { ...post(c, "[]", batch), status: 400 };
    if (variant === 2) return { ...post(c, send(event(m)), batch), status: 400 };
    if (variant === 3) return { ...post(c, send([event(m), event(m)]), json), status: 400 };
    const events = Array.from({ length: 3 + r.int(20) }, (_, i) => event(`${m}-${i}`));
    const bad = r.int(events.length);
    events[bad] = event(m, { subject: `${m}.bad` });
    return { ...post(c, send(events), batch), status: 400, issuePath: `[${bad}].subject` };
  },
  "prototype keys": (n, r, c) => {
    const m = `${MARK}${n}`;
    const text = send(event(m));
    const body = r.pick([
      `{"__proto__":{"polluted":"${m}"},${text.slice(1)}`,
      text.replace('"scope":', `"__proto__":{"polluted":"${m}"},"scope":`),
      text.replace('{"city":"shanghai"}', `{"city":"shanghai","__proto__":{"isAdmin":true,"m":"${m}"}}`),
      `{"constructor":{"prototype":{"polluted":"${m}"}},${text.slice(1)}`,
      text.replace('"scope":', `"constructor":{"prototype":{"polluted":"${m}"}},"scope":`),
    ]);
    return { ...post(c, body), status: 400 };
  },
  "bad query": (n, r, c) => {
    const m = `${MARK}${n}`;
    const path = r.pick([
      "/v1/events?limit=abc",
      "/v1/events?limit=0",
      "/v1/events?limit=99999",
      `/v1/events?since=${m}`,
      "/v1/events?directed=maybe",
      `/v1/events?cursor=${m}`,
      `/v1/events?type=${m}`,
      "/v1/events?status=real",
      `/v1/events?${m}=1`,
      "/v1/events?type=case.reported&type=case.closed",
      `/v1/risk?asOf=${m}`,
      "/v1/risk?by=sideways",
      `/v1/passes/P1?at=${m}`,
      `/v1/stream?type=${m}`,
      `/v1/notices/N1/receipts?origin=${m}`,
      "/v1/events?__proto__=x",
      `/v1/risk?constructor=${m}`,
    ]);
    return { method: "GET", path, headers: auth(c), status: 400 };
  },
  "no such route": (n, r, c) => {
    const m = `${MARK}${n}`;
    const [method, path] = r.pick([
      ["GET", `/v1/${m}`],
      ["DELETE", "/v1/events"],
      ["PUT", "/v1/events"],
      ["PATCH", `/v1/passes/${m}`],
      ["GET", `/v2/events?key=${m}`],
      ["GET", `/../../etc/passwd?${m}`],
    ]) as [string, string];
    return { method, path, headers: auth(c), status: 404 };
  },
};

/** Request `n` of the run: the kinds in turn, so each gets its share of the ten thousand. */
export const hostileRequest = (n: number, r: Rng, c: FuzzContext): Hostile => {
  const kinds = Object.keys(makers);
  const kind = kinds[n % kinds.length] as string;
  return { kind, ...(makers[kind] as Make)(n, r, c) };
};
