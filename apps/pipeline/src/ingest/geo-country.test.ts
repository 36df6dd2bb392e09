import { describe, expect, it } from "vitest";
import { deviceFromUserAgent } from "./device";
import { countryFromIp, preloadGeo } from "./geo-country";

describe("countryFromIp", () => {
  it("finds well-known addresses and ignores private ones", () => {
    expect(preloadGeo()).toBe(true);
    expect(countryFromIp("8.8.8.8")).toBe("US");
    expect(countryFromIp("81.2.69.142")).toBe("GB");
    expect(countryFromIp("::ffff:8.8.8.8")).toBe("US");
    expect(countryFromIp("2001:4860:4860::8888")).toBe("US");
    expect(countryFromIp("10.1.2.3")).toBeNull();
    expect(countryFromIp("127.0.0.1")).toBeNull();
    expect(countryFromIp("::1")).toBeNull();
    expect(countryFromIp("not an ip")).toBeNull();
  });
});

describe("deviceFromUserAgent", () => {
  it("classifies phones, tablets, desktops and the rest", () => {
    expect(
      deviceFromUserAgent(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
      ),
    ).toBe("mobile");
    expect(
      deviceFromUserAgent(
        "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
      ),
    ).toBe("tablet");
    expect(
      deviceFromUserAgent(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
      ),
    ).toBe("desktop");
    expect(
      deviceFromUserAgent(
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
      ),
    ).toBe("other");
    expect(deviceFromUserAgent("")).toBe("other");
    expect(deviceFromUserAgent("curl/8.0")).toBe("other");
  });
});
