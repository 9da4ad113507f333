// @tongbao/city-relay — one per city: signed webhooks (or the store), and receipts.

export { DeliveryOutcome } from "./metrics.ts";
export type { CityRelay, CityRelayOptions, Delivered, RelayStatus } from "./relay.ts";
export { createCityRelay } from "./relay.ts";
export type { WebhookSigner } from "./signing.ts";
export { newWebhookSecret, WebhookSecretError, webhookSigner } from "./signing.ts";
export type { ReceivedNotice, SinkMode, WebhookSink, WebhookSinkOptions } from "./sink/sink.ts";
export { startWebhookSink } from "./sink/sink.ts";
export { WebhookDeliveryError } from "./webhook.ts";
