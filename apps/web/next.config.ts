import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const config: NextConfig = {
  // The workspace packages export their TypeScript sources; Next compiles them with the app.
  transpilePackages: ["@adclick/shared", "@adclick/db"],
  // npm workspaces hoist dependencies to the repository root.
  turbopack: { root: repoRoot },
  outputFileTracingRoot: repoRoot,
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
