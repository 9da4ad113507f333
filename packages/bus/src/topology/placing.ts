import { JetStreamCode, jetStreamCodeOf } from "../nats-errors.ts";

const PLACEMENT_WAIT_MS = 15_000;

/**
 * Creates what needs replicas placed. A cluster that has just started (or lost a node for a moment)
 * may not yet count a peer as online; the metro's services start with it, so they wait a little for
 * the peer rather than fail. A cluster that stays too small gets the server's own error.
 */
export const placing = async <T>(create: () => Promise<T>): Promise<T> => {
  const deadline = Date.now() + PLACEMENT_WAIT_MS;
  for (;;) {
    try {
      return await create();
    } catch (error) {
      if (jetStreamCodeOf(error) !== JetStreamCode.noPeersForPlacement || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
};
