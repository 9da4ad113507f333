import type { TongbaoEvent } from "@tongbao/events";
import { postBatch, type WebhookTarget } from "./webhook.ts";

export interface BatchSettings {
  readonly maxNotices: number;
  readonly maxWaitMs: number;
}

interface Queued {
  readonly event: TongbaoEvent;
  readonly body: string;
  readonly resolve: (status: number) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The notices for one URL of a city in batch mode, gathered into requests of at most `maxNotices`,
 * each sent at most `maxWaitMs` after its first notice came. Each notice's promise settles with its
 * request's answer, so a notice counts as delivered only once the request that carried it was
 * answered 2xx; the bus retries a failed one, in whichever batch it then lands. One aggregate's
 * notices keep their order: the relay hands over an aggregate's next notice only once the one before
 * it is delivered, so a batch holds at most one of each aggregate, and batches follow each other.
 */
export const webhookBatcher = (target: WebhookTarget, settings: BatchSettings) => {
  let queued: Queued[] = [];
  let timer: NodeJS.Timeout | undefined;
  const send = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = queued;
    queued = [];
    postBatch(
      target,
      batch.map((q) => q.event),
      batch.map((q) => q.body),
    ).then(
      (status) => {
        for (const q of batch) q.resolve(status);
      },
      (error: unknown) => {
        for (const q of batch) q.reject(error);
      },
    );
  };
  return (event: TongbaoEvent, body: string): Promise<number> =>
    new Promise((resolve, reject) => {
      queued.push({ event, body, resolve, reject });
      if (queued.length >= settings.maxNotices) send();
      else timer ??= setTimeout(send, settings.maxWaitMs);
    });
};
