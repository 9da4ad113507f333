import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { delimiter, join } from "node:path";

const debianPath = "/usr/sbin/nats-server";
const installHint = "install nats-server with `apt-get install -y nats-server` or `source .ci/tools.sh`";

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds nats-server: NATS_SERVER_BIN, then PATH, then Debian's location (not on a user's PATH). */
export async function findNatsServerBinary(): Promise<string> {
  const fromEnv = process.env.NATS_SERVER_BIN;
  if (fromEnv) {
    if (await isExecutable(fromEnv)) return fromEnv;
    throw new Error(`NATS_SERVER_BIN=${fromEnv} is not an executable file; ${installHint}`);
  }
  const onPath = (process.env.PATH ?? "").split(delimiter).filter((dir) => dir !== "");
  for (const candidate of [...onPath.map((dir) => join(dir, "nats-server")), debianPath]) {
    if (await isExecutable(candidate)) return candidate;
  }
  throw new Error(`nats-server not found on PATH nor at ${debianPath}; ${installHint}`);
}
