import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClickRecord } from "@adclick/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeClicks } from "./click-parquet";
import { SegmentWriter } from "./segment-writer";

const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 0, 15, 10);

function click(i: number, ts: number): ClickRecord {
  return {
    event_id: `e${i}`,
    partner_id: "p1",
    campaign_id: `c${i % 3}`,
    advertiser_id: "a1",
    ad_id: "ad1",
    user_id: `u${i % 5}`,
    ip: "10.0.0.1",
    user_agent: "Mozilla/5.0",
    ts,
    received_at: ts + 10,
    country: i % 2 ? "DE" : null,
    device: "mobile",
    publisher_id: null,
    referrer: null,
    cost_micros: 250_000,
  };
}

let scratch: string;
let writer: SegmentWriter;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "adclick-segment-test-"));
  writer = new SegmentWriter({ tmpDir: scratch });
});
afterAll(async () => {
  await writer.close();
  await rm(scratch, { recursive: true, force: true });
});

describe("SegmentWriter", () => {
  it("writes one file per event hour, in Kafka order, leaving out what is not a click", async () => {
    // Out of order across two hours, with a late click from the hour before.
    const clicks = [
      click(0, BASE + 5),
      click(1, BASE + HOUR + 1),
      click(2, BASE + 7),
      click(3, BASE - 1),
      click(4, BASE + HOUR - 1),
    ];
    const values = [
      ...clicks.slice(0, 2).map((c) => Buffer.from(JSON.stringify(c))),
      Buffer.from("not json"),
      null,
      Buffer.from(JSON.stringify({ ...click(9, BASE), event_id: undefined })),
      ...clicks.slice(2).map((c) => Buffer.from(JSON.stringify(c, null, 2))),
    ];
    const out = await writer.encode(values);
    expect(out.events).toBe(5);
    expect(out.malformed).toBe(3);
    expect(out.files.map((f) => [f.hourStartMs - BASE, f.events])).toEqual([
      [-HOUR, 1],
      [0, 3],
      [HOUR, 1],
    ]);
    const read = await Promise.all(out.files.map((f) => decodeClicks(f.body)));
    expect(read).toEqual([[clicks[3]], [clicks[0], clicks[2], clicks[4]], [clicks[1]]]);
  });

  it("writes the same files when a value's bytes name another hour than its ts", async () => {
    // The last "ts": key is a nested one: the byte-level hint says 1970, the click is at BASE.
    const tricky = { ...click(1, BASE + 2), meta: { ts: 0 } };
    const clicks = [click(0, BASE + 1), click(2, BASE + HOUR + 3)];
    const values = [clicks[0]!, tricky, clicks[1]!].map((c) => Buffer.from(JSON.stringify(c)));
    const out = await writer.encode(values);
    expect(out.files.map((f) => [f.hourStartMs - BASE, f.events])).toEqual([
      [0, 2],
      [HOUR, 1],
    ]);
    const read = await Promise.all(out.files.map((f) => decodeClicks(f.body)));
    const { meta: _meta, ...trickyClick } = tricky;
    expect(read).toEqual([[clicks[0], trickyClick], [clicks[1]]]);
  });

  it("keeps the fraud columns on either path", async () => {
    const fraud = { ...click(0, BASE), risk: 0.9, reasons: ["ip_flood"] };
    const noHint = { ...click(1, BASE + HOUR), ts: undefined, risk: 0.5, reasons: [] };
    const plain = await writer.encode([Buffer.from(JSON.stringify(fraud))], { fraud: true });
    expect(await decodeClicks(plain.files[0]!.body)).toEqual([fraud]);
    // A value without a plain ts sends the whole segment down the partitioned path.
    const mixed = await writer.encode(
      [Buffer.from(JSON.stringify(fraud)), Buffer.from(JSON.stringify(noHint))],
      { fraud: true },
    );
    expect(mixed.events).toBe(1);
    expect(mixed.malformed).toBe(1);
    expect(await decodeClicks(mixed.files[0]!.body)).toEqual([fraud]);
  });

  it("keeps every value of a segment larger than its write buffer, and values larger than it", async () => {
    const many = Array.from({ length: 20_000 }, (_, i) => click(i, BASE + i));
    const huge = {
      ...click(20_000, BASE + 20_000),
      referrer: `https://example.com/${"x".repeat(5e6)}`,
    };
    const values = [...many, huge, click(20_001, BASE + 20_001)].map((c) =>
      Buffer.from(JSON.stringify(c)),
    );
    const out = await writer.encode(values);
    expect(out.events).toBe(20_002);
    const read = await decodeClicks(out.files[0]!.body);
    expect(read.map((c) => c.event_id)).toEqual(values.map((_, i) => `e${i}`));
    expect(read[20_000]!.referrer).toBe(huge.referrer);
  });

  it("refuses a second encode while one runs", async () => {
    const value = [Buffer.from(JSON.stringify(click(0, BASE)))];
    const first = writer.encode(value);
    await expect(writer.encode(value)).rejects.toThrow(/another encode runs/);
    expect((await first).events).toBe(1);
  });
});
