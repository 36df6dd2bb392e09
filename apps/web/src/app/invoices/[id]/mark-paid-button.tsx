"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "../../../trpc/react";
import { errorText } from "../error-text";

/** Marks an issued invoice paid, after a second click: paid is final. */
export function MarkPaidButton({ id, label }: { id: number; label: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const markPaid = useMutation(
    trpc.invoices.markPaid.mutationOptions({ onSuccess: () => router.refresh() }),
  );

  if (!confirming)
    return (
      <p>
        <button type="button" className="button" onClick={() => setConfirming(true)}>
          Mark paid…
        </button>
      </p>
    );
  return (
    <p className="confirm-row">
      <span>Record payment of {label}? A paid invoice cannot go back to issued.</span>{" "}
      <button
        type="button"
        className="button"
        disabled={markPaid.isPending}
        onClick={() => markPaid.mutate({ id })}
      >
        {markPaid.isPending ? "Saving…" : "Confirm paid"}
      </button>{" "}
      <button type="button" className="button secondary" onClick={() => setConfirming(false)}>
        Cancel
      </button>
      {markPaid.isError && <span className="form-error"> {errorText(markPaid.error)}</span>}
    </p>
  );
}
