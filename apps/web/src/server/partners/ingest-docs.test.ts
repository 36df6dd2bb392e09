import { describe, expect, it } from "vitest";
import { buildIngestDocs } from "./ingest-docs";

const NOW = Date.UTC(2026, 11, 3, 7, 0);

const doc = {
  openapi: "3.1.0",
  info: { title: "adclick ingest", description: "Click ingest for partners." },
  components: {
    schemas: {
      ClickEvent: {
        type: "object",
        required: ["event_id", "ts"],
        properties: {
          event_id: { type: "string", description: "Idempotency key" },
          ts: { description: "click time" },
          country: { type: "string" },
        },
      },
    },
  },
  paths: {
    "/v1/clicks": {
      post: {
        summary: "Send clicks",
        responses: { "202": { description: "Accepted" }, "429": { description: "Too many" } },
      },
    },
    "/c/{token}": { get: { summary: "Redirect", responses: { "302": { description: "Go" } } } },
  },
};

describe("partner docs from the ingest's OpenAPI document", () => {
  it("lists every operation with its responses and a curl example against the ingest", () => {
    const docs = buildIngestDocs(doc, "http://ingest.example:8080", NOW);
    expect(docs.title).toBe("adclick ingest");
    expect(docs.operations.map((o) => `${o.method} ${o.path}`)).toEqual([
      "POST /v1/clicks",
      "GET /c/{token}",
    ]);
    const post = docs.operations[0]!;
    expect(post.responses).toEqual([
      { status: "202", description: "Accepted" },
      { status: "429", description: "Too many" },
    ]);
    expect(post.curl).toContain("curl -X POST http://ingest.example:8080/v1/clicks");
    expect(post.curl).toContain('-H "Authorization: Bearer $ADCLICK_API_KEY"');
    // The example body is a valid batch: one event with the current time.
    const body = JSON.parse(/-d '(.*)'$/.exec(post.curl)![1]!);
    expect(body).toHaveLength(1);
    expect(body[0].ts).toBe("2026-12-03T07:00:00.000Z");
    expect(docs.operations[1]!.curl).toBe("curl -i http://ingest.example:8080/c/<token>");
  });

  it("lists the event's fields, required ones marked", () => {
    const docs = buildIngestDocs(doc, "http://x", NOW);
    expect(docs.eventFields).toEqual([
      { name: "event_id", required: true, description: "Idempotency key" },
      { name: "ts", required: true, description: "click time" },
      { name: "country", required: false, description: "" },
    ]);
  });

  it("says so when the answer is not an OpenAPI document", () => {
    expect(() => buildIngestDocs({ hello: 1 }, "http://x", NOW)).toThrow(
      "the ingest's /openapi.json is not an OpenAPI document",
    );
  });
});
