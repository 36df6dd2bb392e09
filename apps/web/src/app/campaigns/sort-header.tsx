import type { ReactNode } from "react";

/** A column header that sorts its table; announces the order to screen readers. */
export function SortHeader({
  label,
  ariaSort,
  onSort,
  numeric = false,
}: {
  label: ReactNode;
  ariaSort: "ascending" | "descending" | "none";
  onSort: () => void;
  numeric?: boolean;
}) {
  const arrow = ariaSort === "ascending" ? "▲" : ariaSort === "descending" ? "▼" : "↕";
  return (
    <th aria-sort={ariaSort} className={numeric ? "num" : undefined} scope="col">
      <button type="button" className="sort-button" onClick={onSort}>
        {label} <span aria-hidden="true">{arrow}</span>
      </button>
    </th>
  );
}
