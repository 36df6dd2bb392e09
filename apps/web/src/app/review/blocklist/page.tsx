import type { Metadata } from "next";
import { ReviewSection } from "../review-section";
import { BlocklistManager } from "./blocklist-manager";

export const metadata: Metadata = { title: "Blocklist" };

export default function BlocklistPage() {
  return (
    <ReviewSection
      tab="/review/blocklist"
      title="Blocklist"
      intro="Clicks from a blocked IP address or network, or with a matching user agent, count as fraud and are not billed. Running aggregators apply a change within 30 seconds."
    >
      <BlocklistManager />
    </ReviewSection>
  );
}
