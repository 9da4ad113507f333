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
  const signal = AbortSignal.timeout(target.timeoutMs);
  let response: Response;
  try {
    response = await fetch(target.url, {
      method: "POST",
      redirect: "manual",
      signal,
      headers: {
        "content-type": "application/cloudevents+json; charset=utf-8",
        "webhook-id": id,
        "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
        "webhook-signature": target.sign(id, now, body),
      },
      body,
    });
    // Read the (small) answer to the end so that the connection is reused.
    await response.arrayBuffer();
  } catch (error) {
    throw new WebhookDeliveryError(endpointOf(target.url), null, { cause: error });
  }
  if (response.status < 200 || response.status > 299) {
    throw new WebhookDeliveryError(endpointOf(target.url), response.status);
  }
  return response.status;
};
