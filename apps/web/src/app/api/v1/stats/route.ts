import { webDb } from "../../../../server/db";
import { webLiveSource } from "../../../../server/live/live-source";
import { handleStatsRequest } from "../../../../server/stats/stats-api";

export const dynamic = "force-dynamic";

export async function GET(req: Request): Promise<Response> {
  const requestId = req.headers.get("x-request-id") ?? crypto.randomUUID();
  try {
    return await handleStatsRequest(req, { db: webDb().db, live: webLiveSource() });
  } catch (err) {
    console.error(
      JSON.stringify({
        level: "error",
        msg: "reporting API failed",
        requestId,
        error: err instanceof Error ? err.message : String(err),
        stack: err instanceof Error ? err.stack : undefined,
      }),
    );
    return Response.json(
      { error: "internal error; try again", request_id: requestId },
      { status: 500, headers: { "cache-control": "no-store" } },
    );
  }
}
