#!/usr/bin/env node
// The alert-rule tests run `promtool test rules`, from Debian's prometheus package.
import { fileURLToPath } from "node:url";
import { ensureAptPackage } from "./apt-package.mjs";

export const PROMTOOL = "/usr/bin/promtool";

export function ensurePromtool() {
  ensureAptPackage("prometheus", PROMTOOL, "promtool");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensurePromtool();
