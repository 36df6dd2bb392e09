import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createWebRegistry, startOpsServer } from "./metrics-server";

describe("the dashboard's ops server", () => {
  it("serves role=web metrics with the process defaults on its own port, and nothing else", async () => {
    const registry = createWebRegistry();
    const server = await startOpsServer(registry, 0, "127.0.0.1");
    const { port } = server.address() as AddressInfo;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain('adclick_process_cpu_seconds_total{role="web"}');
      expect(text).toContain('adclick_nodejs_heap_size_used_bytes{role="web"}');
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/campaigns`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
