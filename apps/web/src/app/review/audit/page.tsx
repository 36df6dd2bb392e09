import type { Metadata } from "next";
import { ReviewSection } from "../review-section";
import { AuditTrail } from "./audit-trail";

export const metadata: Metadata = { title: "Audit trail" };

export default function AuditPage() {
  return (
    <ReviewSection
      tab="/review/audit"
      title="Audit trail"
      intro="Every decision and blocklist change: who, when, what, before and after. Each row is chained to the one before it, so a row changed or removed behind the dashboard's back shows here."
    >
      <AuditTrail />
    </ReviewSection>
  );
}
