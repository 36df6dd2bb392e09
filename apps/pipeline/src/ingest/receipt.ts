import { randomFillSync } from "node:crypto";

/** Random bytes drawn 4 KiB at a time: one randomFill per 256 receipts instead of one each. */
const pool = Buffer.alloc(4096);
let offset = pool.length;

/**
 * A receipt id per request: a UUIDv7 (RFC 9562), so receipts sort by time and
 * a partner can quote one to support. Also the event id of redirect clicks.
 */
export function newReceipt(nowMs = Date.now()): string {
  if (offset + 16 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const b = Buffer.from(pool.subarray(offset, offset + 16));
  offset += 16;
  b.writeUIntBE(nowMs, 0, 6);
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
