/**
 * Polls `probe` until it gives something other than false or undefined, and returns that; fails
 * naming `what` after `timeoutMs`. For tests that wait for a condition instead of sleeping.
 */
export const waitFor = async <T>(
  what: string,
  probe: () => T | false | undefined | Promise<T | false | undefined>,
  timeoutMs = 20_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== false && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};
