"use client";

import { formatLocalDateTime, formatUtc } from "../format";
import { useMounted } from "./use-mounted";

/** An instant in the viewer's time zone, with the UTC instant on hover (UTC until the page has mounted). */
export function LocalTime({ ms }: { ms: number }) {
  const mounted = useMounted();
  const utc = formatUtc(ms);
  return (
    <time dateTime={new Date(ms).toISOString()} title={utc}>
      {mounted ? formatLocalDateTime(ms) : utc}
    </time>
  );
}
