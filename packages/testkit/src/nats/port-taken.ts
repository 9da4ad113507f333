// Free ports are found by listening on port 0 and closing again before the server binds them, so a
// test file running in parallel can take one in between. The server then exits at once; starting
// again on other ports is the whole remedy.

/** A server could not listen: another process took the port it was given. */
export class PortTakenError extends Error {
  override readonly name = "PortTakenError";
}

/** The server's own words (its log) when a port it was told to listen on is taken. */
export const portTakenIn = (log: string) => log.includes("address already in use");

const ATTEMPTS = 3;

/** Runs `start` again, on new ports, when a port was taken before the server bound it. */
export const withFreshPorts = async <T>(start: () => Promise<T>): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= ATTEMPTS) throw error;
    }
  }
};
