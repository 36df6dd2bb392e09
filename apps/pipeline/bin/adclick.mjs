#!/usr/bin/env node
// The adclick CLI runs its TypeScript sources through tsx, so there is no build step.
import { register } from "tsx/esm/api";

// The AWS SDK warns on every start that future releases need Node 22; Node 20 is supported today.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
// kafkajs notes that v2 changed its default partitioner; we rely on that (Java-compatible murmur2) default.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= "1";

register();
await import("../src/cli.ts");
