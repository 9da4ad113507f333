// Tongbao needs nats-server 2.12 or later: `sync_interval: always` (an acknowledged event is on disk),
// atomic batches, per-message TTL, message schedules, expected-last-subject-sequence over a wildcard,
// consumer reset (2.14). Every way of starting or reaching a server checks this one rule.

export const REQUIRED_NATS_SERVER = "2.12.0";

export const HOW_TO_GET_NATS_SERVER =
  "`source .ci/tools.sh` fetches Debian's newest into .tools/nats/ (Debian bookworm ships 2.9.10); " +
  "in containers use the official image nats:2.15-alpine or later";

/** The server needed is older than the one found, or none was found. */
export class UnsupportedServerError extends Error {
  override readonly name = "UnsupportedServerError";
  readonly found: string | undefined;
  constructor(found: string | undefined, where: string) {
    super(
      `nats-server ${found ?? "of unknown version"} found ${where}; Tongbao needs nats-server ` +
        `${REQUIRED_NATS_SERVER} or later: ${HOW_TO_GET_NATS_SERVER}`,
    );
    this.found = found;
  }
}

const parts = (version: string) =>
  (/(\d+)\.(\d+)\.(\d+)/.exec(version)?.slice(1) ?? []).map(Number) as [number, number, number] | [];

/** Whether `version` (e.g. "2.15.1", "v2.12.0-RC.1") is at least the required one. */
export const isSupportedServer = (version: string): boolean => {
  const found = parts(version);
  const needed = parts(REQUIRED_NATS_SERVER);
  if (found.length === 0) return false;
  for (let i = 0; i < 3; i++) {
    const [a, b] = [found[i] ?? 0, needed[i] ?? 0];
    if (a !== b) return a > b;
  }
  return true;
};

/** Throws UnsupportedServerError unless `version` is supported; `where` says where it was found. */
export const requireSupportedServer = (version: string | undefined, where: string): void => {
  if (version === undefined || !isSupportedServer(version)) throw new UnsupportedServerError(version, where);
};

/** The version in `nats-server --version` output ("nats-server: v2.15.1"). */
export const versionInBanner = (banner: string): string | undefined =>
  /v?(\d+\.\d+\.\d+\S*)/.exec(banner)?.[1];
