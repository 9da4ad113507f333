import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { HOW_TO_GET_NATS_SERVER, requireSupportedServer, versionInBanner } from "@tongbao/bus";

const debianPath = "/usr/sbin/nats-server";
const installHint = HOW_TO_GET_NATS_SERVER;

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const checked = new Map<string, Promise<string>>();

/** The binary, once it said it is recent enough; an UnsupportedServerError otherwise. */
const checkedVersion = (binary: string): Promise<string> => {
  let check = checked.get(binary);
  if (check === undefined) {
    check = promisify(execFile)(binary, ["--version"]).then(({ stdout }) => {
      requireSupportedServer(versionInBanner(stdout), `at ${binary}`);
      return binary;
    });
    checked.set(binary, check);
  }
  return check;
};

/**
 * Finds nats-server (NATS_SERVER_BIN, then PATH, then Debian's location, not on a user's PATH) and
 * checks that it is recent enough.
 */
export async function findNatsServerBinary(): Promise<string> {
  return checkedVersion(await locate());
}

async function locate(): Promise<string> {
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
