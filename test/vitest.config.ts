import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: fileURLToPath(new URL("..", import.meta.url)),
    include: ["packages/*/test/**/*.test.ts", "services/*/test/**/*.test.ts", "test/**/*.test.ts"],
    // Integration tests start real nats-server processes; elections and restarts take seconds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
