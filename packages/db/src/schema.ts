import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  real,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/** Money is integer micros (bigint, read back as a JS number: safe to 9e15 micros = $9e9). */
const micros = (name: string) => bigint(name, { mode: "number" });
const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

export const campaignStatus = pgEnum("campaign_status", ["active", "paused", "ended"]);
export const userRole = pgEnum("user_role", ["advertiser", "analyst", "finance", "admin"]);
export const blocklistKind = pgEnum("blocklist_kind", ["ip", "cidr", "user_agent"]);
export const reviewStatus = pgEnum("review_status", ["pending", "clean", "fraud"]);
export const runStatus = pgEnum("run_status", ["running", "succeeded", "failed", "waiting"]);

export const advertisers = pgTable("advertisers", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  currency: text("currency").notNull().default("USD"),
  createdAt: createdAt(),
});

export const campaigns = pgTable(
  "campaigns",
  {
    id: text("id").primaryKey(),
    advertiserId: text("advertiser_id")
      .notNull()
      .references(() => advertisers.id),
    name: text("name").notNull(),
    cpcMicros: micros("cpc_micros").notNull(),
    status: campaignStatus("status").notNull().default("active"),
    landingUrl: text("landing_url").notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("campaigns_advertiser_idx").on(t.advertiserId)],
);

export const partners = pgTable("partners", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** Sustained events per second the partner may send; bursts up to twice that. */
  rateLimitPerSec: integer("rate_limit_per_sec").notNull().default(5000),
  /** When true, every request must carry a valid HMAC signature. */
  requireSignature: boolean("require_signature").notNull().default(false),
  createdAt: createdAt(),
  revokedAt: timestamp("revoked_at", { withTimezone: true }),
});

/** Partner API keys: only a SHA-256 hash of the key is stored; the prefix identifies it in logs. */
export const partnerApiKeys = pgTable(
  "partner_api_keys",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    partnerId: text("partner_id")
      .notNull()
      .references(() => partners.id),
    keyPrefix: text("key_prefix").notNull(),
    keyHash: text("key_hash").notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("partner_api_keys_hash_idx").on(t.keyHash),
    index("partner_api_keys_partner_idx").on(t.partnerId),
  ],
);

/**
 * Request-signing secrets. HMAC verification needs the secret itself, so it is
 * stored encrypted (AES-GCM under APP_SECRET), never in the clear.
 */
export const partnerSigningSecrets = pgTable("partner_signing_secrets", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  partnerId: text("partner_id")
    .notNull()
    .references(() => partners.id),
  secretEncrypted: text("secret_encrypted").notNull(),
  createdAt: createdAt(),
  retiredAt: timestamp("retired_at", { withTimezone: true }),
});

export const users = pgTable(
  "users",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: userRole("role").notNull(),
    advertiserId: text("advertiser_id").references(() => advertisers.id),
    createdAt: createdAt(),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("users_email_idx").on(sql`lower(${t.email})`)],
);

/** Reporting-API tokens (C10), stored as SHA-256 hashes. */
export const advertiserTokens = pgTable(
  "advertiser_tokens",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    advertiserId: text("advertiser_id")
      .notNull()
      .references(() => advertisers.id),
    tokenPrefix: text("token_prefix").notNull(),
    tokenHash: text("token_hash").notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("advertiser_tokens_hash_idx").on(t.tokenHash)],
);

export const blocklist = pgTable(
  "blocklist",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    kind: blocklistKind("kind").notNull(),
    value: text("value").notNull(),
    reason: text("reason").notNull(),
    createdBy: text("created_by").notNull().default("cli"),
    createdAt: createdAt(),
    removedAt: timestamp("removed_at", { withTimezone: true }),
    /** After this the entry no longer applies; null means until removed. */
    expiresAt: timestamp("expires_at", { withTimezone: true }),
  },
  (t) => [index("blocklist_active_idx").on(t.kind, t.value)],
);

/** Suspicious clicks waiting for (or decided by) an analyst. */
export const reviewQueue = pgTable(
  "review_queue",
  {
    eventId: text("event_id").notNull(),
    partnerId: text("partner_id").notNull(),
    campaignId: text("campaign_id").notNull(),
    advertiserId: text("advertiser_id").notNull(),
    clickTs: timestamp("click_ts", { withTimezone: true }).notNull(),
    risk: real("risk").notNull(),
    reasons: jsonb("reasons").$type<string[]>().notNull(),
    click: jsonb("click").$type<Record<string, unknown>>().notNull(),
    status: reviewStatus("status").notNull().default("pending"),
    decidedBy: text("decided_by"),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    note: text("note"),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.partnerId, t.eventId] }),
    index("review_queue_status_idx").on(t.status, t.createdAt),
    index("review_queue_day_idx").on(t.clickTs),
  ],
);

/**
 * Every change to a review item or the blocklist, append-only (a trigger refuses
 * UPDATE and DELETE) and hash-chained: a trigger sets `prev_hash` and `hash` on
 * insert, and `audit_log_verify()` names the rows that no longer match (0004).
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    subject: text("subject").notNull(),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    prevHash: text("prev_hash"),
    hash: text("hash"),
  },
  (t) => [index("audit_log_subject_idx").on(t.subject, t.at)],
);

/**
 * Exact daily billing, one row per (day, campaign, dimension) with the C3
 * dimension spelling. Declaratively partitioned by month of `day` (see the
 * migration); partitions are created on demand by ensureBillingPartition.
 */
export const billingDaily = pgTable(
  "billing_daily",
  {
    day: date("day", { mode: "string" }).notNull(),
    campaignId: text("campaign_id").notNull(),
    advertiserId: text("advertiser_id").notNull(),
    dimension: text("dimension").notNull(),
    clicks: bigint("clicks", { mode: "number" }).notNull(),
    uniqueUsers: bigint("unique_users", { mode: "number" }).notNull(),
    costMicros: micros("cost_micros").notNull(),
    fraudClicks: bigint("fraud_clicks", { mode: "number" }).notNull(),
    suspiciousClicks: bigint("suspicious_clicks", { mode: "number" }).notNull().default(0),
    batchRunId: bigint("batch_run_id", { mode: "number" }),
    computedAt: timestamp("computed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.day, t.campaignId, t.dimension] })],
);

export const batchRuns = pgTable(
  "batch_runs",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    day: date("day", { mode: "string" }).notNull(),
    status: runStatus("status").notNull().default("running"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    eventsIn: bigint("events_in", { mode: "number" }),
    duplicates: bigint("duplicates", { mode: "number" }),
    fraudRemoved: bigint("fraud_removed", { mode: "number" }),
    rowsOut: bigint("rows_out", { mode: "number" }),
    durationMs: bigint("duration_ms", { mode: "number" }),
    error: text("error"),
    /** The lake files a succeeded run billed: their number and a hash of their keys (C11 re-billing). */
    lakeFiles: integer("lake_files"),
    lakeFingerprint: text("lake_fingerprint"),
  },
  (t) => [index("batch_runs_day_idx").on(t.day, t.startedAt)],
);

export const reconciliationResults = pgTable(
  "reconciliation_results",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    day: date("day", { mode: "string" }).notNull(),
    campaignId: text("campaign_id").notNull(),
    liveClicks: bigint("live_clicks", { mode: "number" }).notNull(),
    billedClicks: bigint("billed_clicks", { mode: "number" }).notNull(),
    liveCostMicros: micros("live_cost_micros").notNull(),
    billedCostMicros: micros("billed_cost_micros").notNull(),
    /** |live - billed| / max(billed, 1) on clicks. */
    discrepancy: real("discrepancy").notNull(),
    thresholdExceeded: boolean("threshold_exceeded").notNull(),
    checkedAt: timestamp("checked_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("reconciliation_day_idx").on(t.day, t.campaignId)],
);

export const invoices = pgTable(
  "invoices",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    advertiserId: text("advertiser_id")
      .notNull()
      .references(() => advertisers.id),
    /** First day of the invoiced month. */
    month: date("month", { mode: "string" }).notNull(),
    clicks: bigint("clicks", { mode: "number" }).notNull(),
    totalMicros: micros("total_micros").notNull(),
    lines: jsonb("lines")
      .$type<Array<{ campaignId: string; clicks: number; costMicros: number }>>()
      .notNull(),
    /** draft → issued → paid; issued and paid invoices are frozen by a trigger (0003). */
    status: text("status", { enum: ["draft", "issued", "paid"] })
      .notNull()
      .default("draft"),
    /** Assigned at issue from invoice_counter, in the issuing transaction: no gaps. */
    number: integer("number"),
    createdAt: createdAt(),
    issuedAt: timestamp("issued_at", { withTimezone: true }),
    paidAt: timestamp("paid_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("invoices_advertiser_month_idx").on(t.advertiserId, t.month),
    uniqueIndex("invoices_number_idx").on(t.number),
  ],
);

export const invoiceCounter = pgTable("invoice_counter", {
  id: boolean("id").primaryKey().default(true),
  lastNumber: integer("last_number").notNull(),
});

export const invoiceLines = pgTable(
  "invoice_lines",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    invoiceId: bigint("invoice_id", { mode: "number" })
      .notNull()
      .references(() => invoices.id),
    kind: text("kind", { enum: ["usage", "credit", "debit"] }).notNull(),
    campaignId: text("campaign_id").notNull(),
    day: date("day", { mode: "string" }),
    cause: text("cause"),
    clicks: bigint("clicks", { mode: "number" }).notNull(),
    invalidClicks: bigint("invalid_clicks", { mode: "number" }).notNull(),
    pricePerClickMicros: micros("price_per_click_micros").notNull(),
    costMicros: micros("cost_micros").notNull(),
    amountMicros: micros("amount_micros").notNull(),
  },
  (t) => [index("invoice_lines_invoice_idx").on(t.invoiceId)],
);

/** Signed (day, campaign) deltas each invoice charged; their sum is what has been invoiced. */
export const invoiceBasis = pgTable(
  "invoice_basis",
  {
    invoiceId: bigint("invoice_id", { mode: "number" })
      .notNull()
      .references(() => invoices.id),
    day: date("day", { mode: "string" }).notNull(),
    campaignId: text("campaign_id").notNull(),
    clicks: bigint("clicks", { mode: "number" }).notNull(),
    costMicros: micros("cost_micros").notNull(),
    fraudClicks: bigint("fraud_clicks", { mode: "number" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.invoiceId, t.day, t.campaignId] }),
    index("invoice_basis_day_idx").on(t.campaignId, t.day),
  ],
);

/**
 * Dashboard sign-in sessions. The cookie carries a random opaque id; only its
 * SHA-256 is stored, so a leaked table does not sign anyone in.
 */
export const sessions = pgTable(
  "sessions",
  {
    idHash: text("id_hash").primaryKey(),
    userId: bigint("user_id", { mode: "number" })
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    /** Hard end of the session, however active it is. */
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId), index("sessions_expires_idx").on(t.expiresAt)],
);

/**
 * Failed sign-in attempts, kept for the per-account and per-IP rate limits
 * (only the recent ones matter; old rows are pruned on the way).
 */
export const signInFailures = pgTable(
  "sign_in_failures",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** The normalised email that was tried (whether or not such a user exists). */
    account: text("account").notNull(),
    ip: text("ip").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("sign_in_failures_account_idx").on(t.account, t.at),
    index("sign_in_failures_ip_idx").on(t.ip, t.at),
  ],
);

/** Trained fraud models, versioned (0009): parameters as `LogisticModelParams`, held-out quality, how it was trained. */
export const fraudModels = pgTable("fraud_models", {
  version: serial("version").primaryKey(),
  kind: text("kind").notNull(),
  params: jsonb("params").$type<Record<string, unknown>>().notNull(),
  quality: jsonb("quality").$type<Record<string, unknown>>().notNull(),
  training: jsonb("training").$type<Record<string, unknown>>().notNull().default({}),
  trainedAt: timestamp("trained_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Every activation of a model, append-only: the active model is the latest
 * row, and the model of a past day the latest row before that day ended (so a
 * re-run of the batch scores with the same model).
 */
export const fraudModelActivations = pgTable(
  "fraud_model_activations",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    version: integer("version")
      .notNull()
      .references(() => fraudModels.version),
    activatedAt: timestamp("activated_at", { withTimezone: true }).notNull().defaultNow(),
    activatedBy: text("activated_by").notNull().default("cli"),
  },
  (t) => [index("fraud_model_activations_at_idx").on(t.activatedAt, t.id)],
);
