/**
 * Runs once when the Next.js server starts: in the Node runtime it starts the
 * ops server with the dashboard's metrics on WEB_OPS_PORT (C7), apart from the
 * public WEB_PORT.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const [{ env }, { createWebRegistry, startOpsServer }] = await Promise.all([
    import("./env"),
    import("./server/ops/metrics-server"),
  ]);
  const registry = createWebRegistry();
  try {
    await startOpsServer(registry, env.WEB_OPS_PORT);
    console.log(`web: metrics on :${env.WEB_OPS_PORT}/metrics`);
  } catch (err) {
    // The dashboard serves without its metrics rather than not at all (say, a second
    // dashboard on one machine); the message names the port to set.
    const message = err instanceof Error ? err.message : String(err);
    console.warn(`web: no metrics: WEB_OPS_PORT ${env.WEB_OPS_PORT}: ${message}`);
  }
}
