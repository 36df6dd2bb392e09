#!/usr/bin/env node
// The adclick CLI runs its TypeScript sources through tsx, so there is no build step.
import { register } from "tsx/esm/api";

register();
await import("../src/cli.ts");
