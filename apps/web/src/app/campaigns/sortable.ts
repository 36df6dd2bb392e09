import { useMemo, useState } from "react";

export type SortDirection = "asc" | "desc";

/** Sorting state of a table: click a column to sort by it, click again to reverse. */
export function useSorted<Row, Key extends keyof Row & string>(
  rows: readonly Row[],
  initial: { key: Key; direction: SortDirection },
) {
  const [sort, setSort] = useState(initial);
  const sorted = useMemo(() => {
    const factor = sort.direction === "asc" ? 1 : -1;
    return [...rows].sort((a, b) => {
      const x = a[sort.key];
      const y = b[sort.key];
      if (typeof x === "number" && typeof y === "number") return (x - y) * factor;
      return String(x).localeCompare(String(y)) * factor;
    });
  }, [rows, sort]);
  const toggle = (key: Key) =>
    setSort((s) =>
      s.key === key
        ? { key, direction: s.direction === "asc" ? "desc" : "asc" }
        : { key, direction: typeof rows[0]?.[key] === "number" ? "desc" : "asc" },
    );
  const ariaSort = (key: Key): "ascending" | "descending" | "none" =>
    sort.key === key ? (sort.direction === "asc" ? "ascending" : "descending") : "none";
  return { sorted, sort, toggle, ariaSort };
}
