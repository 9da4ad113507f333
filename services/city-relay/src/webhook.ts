import { createHash } from "node:crypto";
import { messageIdOf } from "@tongbao/bus";
import type { TongbaoEvent } from "@tongbao/events";
import { Agent } from "undici";
import type { WebhookSigner } from "./signing.ts";

/** One URL did not accept a notice: a non-2xx answer (`status`), or no answer in time (`status` null). */
export class WebhookDeliveryError extends Error {
  override readonly name = "WebhookDeliveryError";
  readonly endpoint: string;
  readonly status: number | null;
  constructor(endpoint: string, status: number | null, options?: ErrorOptions) {
    super(`webhook ${endpoint} ${status === null ? "did not answer" : `answered ${status}`}`, options);
    this.endpoint = endpoint;
    this.status = status;
  }
}

/** The URL without its query or credentials: what may appear in logs and dead letters. */
export const endpointOf = (url: string): string => {
  const { protocol, host, pathname } = new URL(url);
  return `${protocol}//${host}${pathname}`;
};

export interface WebhookTarget {
  readonly url: string;
  readonly sign: WebhookSigner;
  readonly timeoutMs: number;
}

// Keep-alive connections, a pool per origin: undici's request costs a fraction of the CPU of
// `fetch` (and about half of node:http's) per request, which matters when a relay process hands
// thousands of notices a second to the cities. Redirects are not followed (no interceptor).
const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });

const post = async (url: string, headers: Record<string, string>, body: string, timeoutMs: number) => {
  // The timeouts bound the wait for the answer's head and then for its body: no answer in time is
  // a failed attempt, as is a non-2xx answer.
  const { origin, path, authorization } = whereTo(url);
  const response = await agent.request({
    origin,
    path,
    method: "POST",
    headers: authorization === undefined ? headers : { ...headers, authorization },
    body,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  // Read the (small) answer to the end so that the connection is reused.
  await response.body.dump();
  return response.statusCode;
};

// A relay posts to the same few URLs all day: parse each once. Credentials in a URL
// (https://user:secret@host/…) become Basic authorization, as a browser or node:http would send them.
const parsed = new Map<string, { origin: string; path: string; authorization?: string }>();
const whereTo = (url: string) => {
  let where = parsed.get(url);
  if (where === undefined) {
    const { origin, pathname, search, username, password } = new URL(url);
    const credentials = `${decodeURIComponent(username)}:${decodeURIComponent(password)}`;
    where = {
      origin,
      path: `${pathname}${search}`,
      ...(username !== "" && { authorization: `Basic ${Buffer.from(credentials).toString("base64")}` }),
    };
    parsed.set(url, where);
  }
  return where;
};

/**
 * POSTs the notice as a structured-mode CloudEvent, signed the Standard Webhooks way. `webhook-id`
 * is `<origin>:<event id>` (event ids are unique per origin), the same on every retry, so receivers
 * de-duplicate; the timestamp and signature are fresh on each attempt. Redirects are not followed:
 * a signed notice goes only where the metro says. Resolves with the status of a 2xx answer.
 */
export const postNotice = (target: WebhookTarget, event: TongbaoEvent, body: string): Promise<number> =>
  signedPost(target, messageIdOf(event), "application/cloudevents+json; charset=utf-8", body);

/**
 * POSTs notices in CloudEvents' JSON batch mode (`application/cloudevents-batch+json`: a JSON array
 * of structured-mode events, each serialised once, by the caller), signed as one Standard Webhooks
 * message. Its `webhook-id` is `batch_` and a digest of the notices' ids in order, so a retry of the
 * same notices carries the same id; a notice retried in another batch comes with another, and a
 * receiver de-duplicates each notice on its own `<origin>:<id>` as well.
 */
export const postBatch = (
  target: WebhookTarget,
  events: readonly TongbaoEvent[],
  bodies: readonly string[],
): Promise<number> => {
  const digest = createHash("sha256");
  for (const event of events) digest.update(`${messageIdOf(event)}\n`);
  const id = `batch_${digest.digest("base64url").slice(0, 32)}`;
  return signedPost(target, id, BATCH_CONTENT_TYPE, `[${bodies.join(",")}]`);
};

export const BATCH_CONTENT_TYPE = "application/cloudevents-batch+json; charset=utf-8";

const signedPost = async (target: WebhookTarget, id: string, contentType: string, body: string) => {
  const now = new Date();
  let status: number;
  try {
    status = await post(
      target.url,
      {
        "content-type": contentType,
        "webhook-id": id,
        "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
        "webhook-signature": target.sign(id, now, body),
      },
      body,
      target.timeoutMs,
    );
  } catch (error) {
    throw new WebhookDeliveryError(endpointOf(target.url), null, { cause: error });
  }
  if (status < 200 || status > 299) throw new WebhookDeliveryError(endpointOf(target.url), status);
  return status;
};
