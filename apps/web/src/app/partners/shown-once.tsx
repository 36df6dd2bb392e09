"use client";

import { useState } from "react";

/** A secret shown once, with a copy button; it is never stored in the clear and cannot be shown again. */
export function ShownOnce({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="shown-once" role="alert">
      <p>
        <strong>{label}</strong> — copy it now: it is stored hashed and will not be shown again.
      </p>
      <code className="mono" data-testid="shown-once-value">
        {value}
      </code>{" "}
      <button
        type="button"
        onClick={() => {
          void navigator.clipboard?.writeText(value).then(() => setCopied(true));
        }}
      >
        {copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}
