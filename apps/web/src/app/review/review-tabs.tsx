import Link from "next/link";

const TABS = [
  { href: "/review", label: "Queue" },
  { href: "/review/rates", label: "Fraud rates" },
  { href: "/review/model", label: "Model" },
  { href: "/review/audit", label: "Audit trail" },
  { href: "/review/blocklist", label: "Blocklist" },
] as const;

export type ReviewTab = (typeof TABS)[number]["href"];

/** The workspace's sections, the current one marked. */
export function ReviewTabs({ current }: { current: ReviewTab }) {
  return (
    <nav className="review-tabs" aria-label="Review workspace">
      {TABS.map((t) => (
        <Link key={t.href} href={t.href} aria-current={t.href === current ? "page" : undefined}>
          {t.label}
        </Link>
      ))}
    </nav>
  );
}
