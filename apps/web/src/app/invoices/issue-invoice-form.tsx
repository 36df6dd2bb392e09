"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "../../trpc/react";
import { errorText } from "./error-text";

/**
 * Finance's "issue an invoice" form: pick an advertiser and a month, issue.
 * The server checks the role and the database the write; this only asks.
 */
export function IssueInvoiceForm({
  advertisers,
  defaultMonth,
}: {
  advertisers: ReadonlyArray<{ id: string; name: string }>;
  defaultMonth: string;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const [advertiserId, setAdvertiserId] = useState(advertisers[0]?.id ?? "");
  const [month, setMonth] = useState(defaultMonth);
  const issue = useMutation(
    trpc.invoices.issue.mutationOptions({ onSuccess: () => router.refresh() }),
  );

  return (
    <form
      className="invoice-form"
      aria-label="Issue an invoice"
      onSubmit={(e) => {
        e.preventDefault();
        issue.mutate({ advertiserId, month });
      }}
    >
      <label className="field">
        Advertiser
        <select
          name="advertiser"
          value={advertiserId}
          onChange={(e) => setAdvertiserId(e.target.value)}
          required
        >
          {advertisers.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name} ({a.id})
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        Month
        <input
          type="month"
          name="month"
          value={month}
          max={defaultMonth}
          onChange={(e) => setMonth(e.target.value)}
          required
        />
      </label>
      <button type="submit" className="button" disabled={issue.isPending || !advertiserId}>
        {issue.isPending ? "Issuing…" : "Issue invoice"}
      </button>
      <p className="invoice-form-result" role="status">
        {issue.isSuccess && (
          <>
            Issued invoice number {issue.data.number} (id {issue.data.id}).{" "}
            <Link href={`/invoices/${issue.data.id}`}>Open it</Link>
          </>
        )}
        {issue.isError && <span className="form-error">{errorText(issue.error)}</span>}
      </p>
    </form>
  );
}
