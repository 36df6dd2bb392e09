import type { Metadata } from "next";
import { ReviewQueue } from "./review-queue";
import { ReviewSection } from "./review-section";

export const metadata: Metadata = { title: "Review queue" };

export default function ReviewPage() {
  return (
    <ReviewSection
      tab="/review"
      title="Review queue"
      intro="Suspicious clicks waiting for a verdict. A verdict overrides the model in the next nightly billing run."
    >
      <ReviewQueue />
    </ReviewSection>
  );
}
