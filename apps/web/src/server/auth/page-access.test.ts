import { describe, expect, it } from "vitest";
import { afterSignInPath, canOpen, pagesFor } from "./page-access";

describe("pagesFor", () => {
  it("gives each role exactly the pages it may open, in navigation order", () => {
    expect(pagesFor("advertiser").map((p) => p.path)).toEqual(["/campaigns", "/invoices"]);
    expect(pagesFor("analyst").map((p) => p.path)).toEqual(["/review", "/system"]);
    expect(pagesFor("finance").map((p) => p.path)).toEqual(["/invoices", "/system"]);
    expect(pagesFor("admin").map((p) => p.path)).toEqual([
      "/review",
      "/invoices",
      "/partners",
      "/system",
    ]);
  });
});

describe("canOpen", () => {
  it("covers a page and the paths below it, and nothing that merely starts alike", () => {
    expect(canOpen("advertiser", "/campaigns/acme-1")).toBe(true);
    expect(canOpen("advertiser", "/campaignsx")).toBe(false);
    expect(canOpen("advertiser", "/system")).toBe(false);
    expect(canOpen("finance", "/review")).toBe(false);
    expect(canOpen("admin", "/unknown")).toBe(false);
  });

  it("lets the most specific entry decide: advertisers open their invoices but not reconciliation", () => {
    expect(canOpen("advertiser", "/invoices")).toBe(true);
    expect(canOpen("advertiser", "/invoices/17")).toBe(true);
    expect(canOpen("advertiser", "/invoices/billing.csv")).toBe(true);
    expect(canOpen("advertiser", "/invoices/reconciliation")).toBe(false);
    expect(canOpen("advertiser", "/invoices/reconciliation/2026-11-02")).toBe(false);
    expect(canOpen("finance", "/invoices/reconciliation")).toBe(true);
    expect(canOpen("admin", "/invoices/reconciliation")).toBe(true);
    expect(canOpen("analyst", "/invoices/reconciliation")).toBe(false);
  });
});

describe("afterSignInPath", () => {
  it("honours a requested page the role may open, and nothing else", () => {
    expect(afterSignInPath("advertiser", "/campaigns/acme-1?range=24h", "/campaigns")).toBe(
      "/campaigns/acme-1?range=24h",
    );
    expect(afterSignInPath("advertiser", "/system", "/campaigns")).toBe("/campaigns");
    expect(afterSignInPath("admin", "//evil.example/system", "/partners")).toBe("/partners");
    expect(afterSignInPath("admin", "https://evil.example/", "/partners")).toBe("/partners");
    expect(afterSignInPath("admin", null, "/partners")).toBe("/partners");
  });
});
