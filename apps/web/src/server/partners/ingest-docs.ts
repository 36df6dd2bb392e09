/**
 * The partner docs page's content, generated from the ingest's /openapi.json:
 * one section per operation with a copyable curl example built from the
 * document's own schema, so the page never drifts from what the ingest serves.
 */
import { z } from "zod";

const Operation = z.object({
  summary: z.string().optional(),
  description: z.string().optional(),
  responses: z.record(z.string(), z.object({ description: z.string().optional() })).optional(),
});
const OpenApi = z.object({
  info: z.object({ title: z.string(), description: z.string().optional() }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  components: z.object({ schemas: z.record(z.string(), z.unknown()).optional() }).optional(),
});

export interface DocOperation {
  method: string;
  path: string;
  summary: string;
  description: string;
  responses: Array<{ status: string; description: string }>;
  curl: string;
}

export interface IngestDocs {
  title: string;
  description: string;
  operations: DocOperation[];
  eventFields: Array<{ name: string; required: boolean; description: string }>;
}

const METHODS = ["get", "post", "put", "delete", "patch"];

/** An example click event, with values valid for the schema (ts is the given time). */
export function exampleEvent(nowMs: number): Record<string, unknown> {
  return {
    event_id: "evt-000001",
    campaign_id: "<campaign id>",
    ad_id: "ad-1",
    user_id: "user-42",
    ip: "203.0.113.7",
    user_agent: "Mozilla/5.0 (X11; Linux x86_64)",
    ts: new Date(nowMs).toISOString(),
  };
}

function curlFor(baseUrl: string, method: string, path: string, nowMs: number): string {
  if (path === "/v1/clicks" && method === "post") {
    const body = JSON.stringify([exampleEvent(nowMs)]);
    return [
      `curl -X POST ${baseUrl}/v1/clicks \\`,
      `  -H "Authorization: Bearer $ADCLICK_API_KEY" \\`,
      `  -H "Content-Type: application/json" \\`,
      `  -d '${body}'`,
    ].join("\n");
  }
  const concrete = path.replace(/\{(\w+)\}/g, (_, name: string) => `<${name}>`);
  return `curl -i ${method === "get" ? "" : `-X ${method.toUpperCase()} `}${baseUrl}${concrete}`;
}

/** Reads the document; throws with a readable message when it is not an OpenAPI document. */
export function buildIngestDocs(document: unknown, baseUrl: string, nowMs: number): IngestDocs {
  const parsed = OpenApi.safeParse(document);
  if (!parsed.success) throw new Error("the ingest's /openapi.json is not an OpenAPI document");
  const doc = parsed.data;
  const operations: DocOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const raw = item[method];
      if (raw === undefined) continue;
      const op = Operation.parse(raw);
      operations.push({
        method: method.toUpperCase(),
        path,
        summary: op.summary ?? "",
        description: op.description ?? "",
        responses: Object.entries(op.responses ?? {}).map(([status, r]) => ({
          status,
          description: r.description ?? "",
        })),
        curl: curlFor(baseUrl, method, path, nowMs),
      });
    }
  }
  const event = z
    .object({
      required: z.array(z.string()).default([]),
      properties: z.record(z.string(), z.object({ description: z.string().optional() })),
    })
    .safeParse(doc.components?.schemas?.ClickEvent);
  const eventFields = event.success
    ? Object.entries(event.data.properties).map(([name, p]) => ({
        name,
        required: event.data.required.includes(name),
        description: p.description ?? "",
      }))
    : [];
  return {
    title: doc.info.title,
    description: doc.info.description ?? "",
    operations,
    eventFields,
  };
}
