import { describe, expect, it } from "vitest";
import { foreignOriginReason } from "./origin";

const post = (headers: Record<string, string>) => ({
  method: "POST",
  headers: new Headers(headers),
});
const signedIn = { cookie: "adclick_session=abc" };

describe("foreignOriginReason", () => {
  it("lets reads through whatever their origin", () => {
    expect(
      foreignOriginReason({
        method: "GET",
        headers: new Headers({ origin: "https://evil.example" }),
      }),
    ).toBeNull();
  });

  it("lets a same-site POST through, also behind a TLS proxy", () => {
    expect(
      foreignOriginReason(
        post({ host: "127.0.0.1:3000", origin: "http://127.0.0.1:3000", ...signedIn }),
      ),
    ).toBeNull();
    expect(
      foreignOriginReason(
        post({
          host: "10.0.0.5:3000",
          "x-forwarded-host": "dash.example.com",
          origin: "https://dash.example.com",
        }),
      ),
    ).toBeNull();
  });

  it("refuses a POST from another origin, signed in or not", () => {
    expect(
      foreignOriginReason(
        post({ host: "127.0.0.1:3000", origin: "https://evil.example", ...signedIn }),
      ),
    ).toBe("Origin https://evil.example is not this site");
    expect(
      foreignOriginReason(post({ host: "127.0.0.1:3000", origin: "http://127.0.0.1:3001" })),
    ).toBe("Origin http://127.0.0.1:3001 is not this site");
    expect(foreignOriginReason(post({ host: "127.0.0.1:3000", origin: "null" }))).toBe(
      'unreadable Origin "null"',
    );
  });

  it("refuses a cookie-carrying POST without an Origin, but not an anonymous one", () => {
    expect(foreignOriginReason(post({ host: "127.0.0.1:3000", ...signedIn }))).toBe(
      "a signed-in request without an Origin header",
    );
    expect(foreignOriginReason(post({ host: "127.0.0.1:3000" }))).toBeNull();
    expect(
      foreignOriginReason(post({ host: "127.0.0.1:3000", "sec-fetch-site": "cross-site" })),
    ).toBe("cross-site request");
  });
});
