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

/** Micros in one minor unit (cent) of the invoice currency. */
export const MICROS_PER_CENT = 10_000;

/**
 * The invoice rounding rule: each printed line is rounded once, from its exact
 * micros, to whole cents, half away from zero (12 345 micros → 1 cent,
 * 15 000 → 2 cents, −15 000 → −2 cents). Totals are the sum of the rounded
 * lines, never a rounding of the exact sum, so the printed lines add up.
 */
export function roundMicrosToCents(micros: number): number {
  const sign = micros < 0 ? -1 : 1;
  const abs = Math.abs(micros);
  const cents =
    Math.floor(abs / MICROS_PER_CENT) + (abs % MICROS_PER_CENT >= MICROS_PER_CENT / 2 ? 1 : 0);
  return sign * cents * MICROS_PER_CENT || 0;
}
