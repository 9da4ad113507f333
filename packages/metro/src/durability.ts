import type { Metro, SyncInterval } from "./schema.ts";

/** What every server Tongbao starts or generates runs with unless the metro chooses otherwise. */
export const DEFAULT_SYNC_INTERVAL: SyncInterval = "always";

/** The `sync_interval` of the metro's servers. */
export const syncIntervalOf = (metro: Pick<Metro, "durability">): SyncInterval =>
  metro.durability?.syncInterval ?? DEFAULT_SYNC_INTERVAL;

/** In words, what a power cut may lose with this setting: for the generated configs and the logs. */
export const lossWindowOf = (sync: SyncInterval): string =>
  sync === "always"
    ? "every write is fsynced before it is acknowledged: nothing acknowledged is lost on power loss"
    : `writes are fsynced every ${sync}: a single server or leaf node may lose up to ${sync} of acknowledged events on power loss`;

/** The nats-server `jetstream {}` setting for it. */
export const syncIntervalSetting = (sync: SyncInterval): string => `sync_interval: ${sync}`;
