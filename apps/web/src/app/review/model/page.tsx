import type { Metadata } from "next";
import { ReviewSection } from "../review-section";
import { ModelReport } from "./model-report";

export const metadata: Metadata = { title: "Fraud model" };

export default function ModelPage() {
  return (
    <ReviewSection
      tab="/review/model"
      title="Fraud model"
      intro="The model that scores clicks next to the rules: its held-out quality when it was trained, and how it does on the decisions analysts have made since (its score against your verdict). Train with adclick fraud train, switch with adclick fraud activate --version N; running aggregators pick it up within 30 s."
    >
      <ModelReport />
    </ReviewSection>
  );
}
