import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests share one broker and one Redis; run files one at a time.
    fileParallelism: false,
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-report.json" },
  },
});
