import type { Metadata } from "next";
import { ReviewSection } from "../review-section";
import { FraudRates } from "./fraud-rates";

export const metadata: Metadata = { title: "Fraud rates" };

export default function RatesPage() {
  return (
    <ReviewSection
      tab="/review/rates"
      title="Fraud rates"
      intro="The share of each billed day's clicks that were fraud (dropped) or suspicious (counted and queued for review), per campaign or per partner. Days appear once the nightly billing has run."
    >
      <FraudRates />
    </ReviewSection>
  );
}
