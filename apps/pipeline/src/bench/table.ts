/** The suite's one table, as fixed-width text. Pure. */
import type { Row } from "./figures";

/** Three significant digits below 1,000; whole numbers with separators above. */
export function formatNumber(n: number | null): string {
  if (n === null || Number.isNaN(n)) return "—";
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString("en-US");
  if (n === 0) return "0";
  return Number(n.toPrecision(3)).toString();
}

export function verdict(pass: boolean | null): string {
  return pass === null ? "—" : pass ? "pass" : "MISS";
}

export function renderTable(rows: readonly Row[]): string {
  const header = ["figure", "value", "unit", "same-run ceiling", "ratio", "target", "result"];
  const cells = rows.map((r) => [
    r.label,
    formatNumber(r.value),
    r.unit,
    r.ceiling ? `${r.ceiling.name} ${formatNumber(r.ceiling.value)}` : "—",
    r.ratio === null ? "—" : r.ratio.toFixed(2),
    r.target,
    verdict(r.pass),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) =>
    c
      .map((s, i) => (i === 1 || i === 4 ? s.padStart(widths[i]!) : s.padEnd(widths[i]!)))
      .join(" | ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("-|-"), ...cells.map(line)].join(
    "\n",
  );
}

/** The rows' notes (what a value was measured at), one line each. */
export function renderNotes(rows: readonly Row[]): string[] {
  return rows.filter((r) => r.note).map((r) => `  ${r.label}: ${r.note}`);
}
