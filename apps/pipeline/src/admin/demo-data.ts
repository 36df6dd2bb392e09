/**
 * The demo world that `adclick seed` creates for `npm start`. The simulator
 * and e2e tests may import these ids rather than repeat them.
 */

export const DEMO_PASSWORD = "demo-password";

export const DEMO_ADVERTISERS = [
  { id: "acme", name: "Acme Outdoor" },
  { id: "globex", name: "Globex Travel" },
  { id: "initech", name: "Initech Software" },
] as const;

export const DEMO_CAMPAIGNS = [
  {
    id: "acme-spring-hiking",
    advertiserId: "acme",
    name: "Spring hiking boots",
    cpcMicros: 450_000,
    landingUrl: "https://www.acme-outdoor.example/spring/hiking-boots?utm_source=adclick",
  },
  {
    id: "acme-trail-running",
    advertiserId: "acme",
    name: "Trail running shoes",
    cpcMicros: 380_000,
    landingUrl: "https://www.acme-outdoor.example/running/trail?utm_source=adclick",
  },
  {
    id: "acme-camping-gear",
    advertiserId: "acme",
    name: "Camping gear sale",
    cpcMicros: 520_000,
    landingUrl: "https://www.acme-outdoor.example/sale/camping?utm_source=adclick",
  },
  {
    id: "globex-city-breaks",
    advertiserId: "globex",
    name: "European city breaks",
    cpcMicros: 1_200_000,
    landingUrl: "https://travel.globex.example/deals/city-breaks?utm_source=adclick",
  },
  {
    id: "globex-last-minute",
    advertiserId: "globex",
    name: "Last-minute flights",
    cpcMicros: 950_000,
    landingUrl: "https://travel.globex.example/flights/last-minute?utm_source=adclick",
  },
  {
    id: "globex-ski-season",
    advertiserId: "globex",
    name: "Ski season packages",
    cpcMicros: 1_450_000,
    landingUrl: "https://travel.globex.example/ski?utm_source=adclick",
  },
  {
    id: "initech-crm-trial",
    advertiserId: "initech",
    name: "CRM free trial",
    cpcMicros: 2_800_000,
    landingUrl: "https://initech.example/crm/trial?utm_source=adclick",
  },
  {
    id: "initech-payroll",
    advertiserId: "initech",
    name: "Payroll for small teams",
    cpcMicros: 3_100_000,
    landingUrl: "https://initech.example/payroll?utm_source=adclick",
  },
] as const;

export const DEMO_PARTNERS = [
  { id: "demo-network", name: "Demo Ad Network" },
  { id: "demo-publisher", name: "Demo Publisher Co" },
] as const;

/** One user per role; the advertiser user sees Acme's campaigns. */
export const DEMO_USERS = [
  { email: "advertiser@demo.adclick", role: "advertiser", advertiserId: "acme" },
  { email: "analyst@demo.adclick", role: "analyst", advertiserId: null },
  { email: "finance@demo.adclick", role: "finance", advertiserId: null },
  { email: "admin@demo.adclick", role: "admin", advertiserId: null },
] as const;

/** Documentation-range addresses (RFC 5737), so blocking them hurts no real traffic. */
export const DEMO_BLOCKLIST = [
  { kind: "ip", value: "198.51.100.66", reason: "demo: click farm seen on several campaigns" },
  { kind: "cidr", value: "192.0.2.128/25", reason: "demo: hosting range sending scripted clicks" },
  { kind: "user_agent", value: "ClickBot/", reason: "demo: self-declared click bot" },
] as const;
