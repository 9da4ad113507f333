import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { messageIdOf } from "@tongbao/bus";
import type { TongbaoEvent } from "@tongbao/events";
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

// Keep-alive connections, one pool per scheme: node:http costs a fraction of the CPU of `fetch`
// per request, which matters when a relay hands hundreds of notices a second to its city.
const agents = {
  "http:": new HttpAgent({ keepAlive: true, maxSockets: 64 }),
  "https:": new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
} as const;

const post = (url: URL, headers: Record<string, string>, body: string, timeoutMs: number) =>
  new Promise<number>((resolve, reject) => {
    const secure = url.protocol === "https:";
    const send = secure ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: "POST",
        agent: agents[secure ? "https:" : "http:"],
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        // Read the (small) answer to the end so that the connection is reused.
        res.resume();
        res.once("end", () => resolve(res.statusCode ?? 0));
        res.once("error", reject);
      },
    );
    req.once("error", reject);
    req.end(body);
  });

/**
 * POSTs the notice as a structured-mode CloudEvent, signed the Standard Webhooks way. `webhook-id`
 * is `<origin>:<event id>` (event ids are unique per origin), the same on every retry, so receivers
 * de-duplicate; the timestamp and signature are fresh on each attempt. Redirects are not followed:
 * a signed notice goes only where the metro says. Resolves with the status of a 2xx answer.
 */
export const postNotice = async (
  target: WebhookTarget,
  event: TongbaoEvent,
  body: string,
): Promise<number> => {
  const id = messageIdOf(event);
  const now = new Date();
  let status: number;
  try {
    status = await post(
      new URL(target.url),
      {
        "content-type": "application/cloudevents+json; charset=utf-8",
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
