/** The OpenAPI 3.1 description served at /openapi.json. */
export function openApiDocument(maxBodyBytes: number, maxEvents: number): Record<string, unknown> {
  const error = { type: "object", properties: { error: { type: "string" } }, required: ["error"] };
  const retryAfter = {
    "Retry-After": { description: "Seconds to wait before retrying", schema: { type: "integer" } },
  };
  const event = {
    type: "object",
    required: ["event_id", "campaign_id", "ad_id", "user_id", "ip", "user_agent", "ts"],
    properties: {
      event_id: {
        type: "string",
        pattern: "^[A-Za-z0-9_-]{1,64}$",
        description: "Idempotency key: a repeat within 24 h is counted once",
      },
      campaign_id: { type: "string", maxLength: 128 },
      ad_id: { type: "string", maxLength: 128 },
      user_id: { type: "string", maxLength: 256 },
      ip: { type: "string", description: "IPv4 or IPv6 address of the clicking user" },
      user_agent: { type: "string", maxLength: 1024 },
      ts: {
        description:
          "click time; between 7 days before and 5 minutes after the receive time, else the event alone is rejected",
        oneOf: [
          { type: "string", format: "date-time" },
          { type: "integer", description: "epoch milliseconds" },
        ],
      },
      country: {
        type: "string",
        pattern: "^[A-Za-z]{2}$",
        description: "ISO 3166-1 alpha-2; derived from ip when absent",
      },
      device: {
        type: "string",
        enum: ["mobile", "desktop", "tablet", "other"],
        description: "Derived from user_agent when absent",
      },
      publisher_id: { type: "string", maxLength: 128 },
      referrer: { type: "string", maxLength: 2048 },
    },
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "adclick ingest",
      version: "1",
      description:
        "Click ingest for partners. partner_id comes from the API key and cost from the campaign's price per click, never from the body. " +
        "A 202 is given only after Kafka has acknowledged every accepted event.",
    },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "Partner API key (ak_...)" },
      },
      schemas: { ClickEvent: event, Error: error },
    },
    security: [{ bearer: [] }],
    paths: {
      "/v1/clicks": {
        post: {
          summary: "Send one click, a JSON array of clicks, or NDJSON",
          parameters: [
            {
              name: "X-Adclick-Signature",
              in: "header",
              required: false,
              description:
                "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + '.' + raw body)>, the raw body being the bytes as sent (gzip bytes when Content-Encoding is gzip); required for partners with signing enabled; 300 s tolerance",
              schema: { type: "string" },
            },
          ],
          requestBody: {
            required: true,
            description: `At most ${maxBodyBytes} bytes (after gzip decoding) and ${maxEvents} events`,
            content: {
              "application/json": {
                schema: {
                  oneOf: [
                    { $ref: "#/components/schemas/ClickEvent" },
                    { type: "array", items: { $ref: "#/components/schemas/ClickEvent" } },
                  ],
                },
              },
              "application/x-ndjson": {
                schema: { type: "string", description: "One ClickEvent JSON object per line" },
              },
            },
          },
          responses: {
            "202": {
              description:
                "Accepted events are in Kafka; rejections are per event, by 0-based index (NDJSON: index among non-blank lines)",
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    required: ["receipt", "accepted", "duplicates", "rejected"],
                    properties: {
                      receipt: { type: "string", description: "Quote this id to support" },
                      accepted: { type: "integer" },
                      duplicates: { type: "integer" },
                      rejected: {
                        type: "array",
                        items: {
                          type: "object",
                          properties: { index: { type: "integer" }, error: { type: "string" } },
                        },
                      },
                    },
                  },
                },
              },
            },
            "400": {
              description: "Unparseable body",
              content: { "application/json": { schema: error } },
            },
            "401": {
              description: "Missing, unknown or revoked API key, or a bad or stale signature",
              content: { "application/json": { schema: error } },
            },
            "413": {
              description:
                "Body or batch too large (answered before the body is read when Content-Length says so; the connection then closes)",
              content: { "application/json": { schema: error } },
            },
            "429": {
              description:
                "Over the partner's rate limit (every event costs one token), a request of more events than the partner's burst (twice the rate; refused whole), or too many concurrent requests for the key",
              headers: retryAfter,
              content: { "application/json": { schema: error } },
            },
            "503": {
              description: "Backpressure or a dependency is unavailable; nothing was accepted",
              headers: retryAfter,
              content: { "application/json": { schema: error } },
            },
          },
        },
      },
      "/c/{token}": {
        get: {
          summary:
            "Click redirect for browsers: records the click and redirects to the landing URL",
          security: [],
          parameters: [{ name: "token", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "302": { description: "Redirect to the landing URL" },
            "400": {
              description:
                "Tampered or expired token, or a landing URL that cannot be redirected to; nothing recorded",
            },
          },
        },
      },
      "/healthz": {
        get: { security: [], responses: { "200": { description: "Process is alive" } } },
      },
      "/readyz": {
        get: {
          security: [],
          responses: {
            "200": { description: "Connected to Kafka and accepting" },
            "503": { description: "Not ready or stopping" },
          },
        },
      },
    },
  };
}
