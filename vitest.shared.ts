import { defineConfig } from "vitest/config";

/** The test settings every workspace shares; each workspace's vitest.config.ts re-exports it. */
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests share one broker and one Redis; run files one at a time.
    fileParallelism: false,
    reporters: ["default", "json"],
    // Read by scripts/test.mjs for the closing "N passed, N failed" line.
    outputFile: { json: ".vitest-report.json" },
  },
});
