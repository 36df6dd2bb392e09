#!/usr/bin/env node
// Browser tests use Debian's Chromium; Playwright never downloads its own browser.
import { fileURLToPath } from "node:url";
import { ensureAptPackage } from "./apt-package.mjs";

export const CHROMIUM = "/usr/bin/chromium";

export function ensureChromium() {
  ensureAptPackage("chromium", CHROMIUM);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureChromium();
