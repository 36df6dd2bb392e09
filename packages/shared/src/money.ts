/** Money is integer micros (1e-6 of the currency unit) everywhere; converted only for display. */
export const MICROS_PER_UNIT = 1_000_000;

export function formatMicros(micros: number | bigint, currency = "USD"): string {
  const value = Number(micros) / MICROS_PER_UNIT;
  return new Intl.NumberFormat("en-US", {
    style: "currency",
    currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: 4,
  }).format(value);
}

export function parseMicros(text: string): number {
  const m = /^(\d+)(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!m) throw new Error(`amount must be a decimal with at most 6 places, got "${text}"`);
  return Number(m[1]) * MICROS_PER_UNIT + Number((m[2] ?? "").padEnd(6, "0"));
}
