"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../../../trpc/react";
import { CopyBlock } from "./copy-block";

/** Builds a signed click-redirect link (GET /c/<token> on the ingest) for a partner's placement. */
export function LinkBuilder({ ingestUrl }: { ingestUrl: string }) {
  const trpc = useTRPC();
  const partners = useQuery(trpc.partners.list.queryOptions());
  const [link, setLink] = useState<{ url: string; expiresAt: string } | null>(null);
  const build = useMutation(
    trpc.partners.redirectLink.mutationOptions({
      onSuccess: (r) => setLink({ url: `${ingestUrl}${r.path}`, expiresAt: r.expiresAt }),
    }),
  );
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const publisherId = String(f.get("publisherId") ?? "").trim();
    build.mutate({
      partnerId: String(f.get("partnerId") ?? ""),
      campaignId: String(f.get("campaignId") ?? "").trim(),
      adId: String(f.get("adId") ?? "").trim(),
      landingUrl: String(f.get("landingUrl") ?? "").trim(),
      ...(publisherId ? { publisherId } : {}),
      validDays: Number(f.get("validDays") || 90),
    });
  };
  const live = (partners.data ?? []).filter((p) => !p.revokedAt);
  return (
    <div>
      <form className="link-builder" onSubmit={onSubmit} aria-label="Redirect link builder">
        <label>
          Partner
          <select name="partnerId" required>
            {live.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} ({p.id})
              </option>
            ))}
          </select>
        </label>
        <label>
          Campaign id <input name="campaignId" required />
        </label>
        <label>
          Ad id <input name="adId" required defaultValue="ad-1" />
        </label>
        <label>
          Landing URL <input name="landingUrl" type="url" required placeholder="https://" />
        </label>
        <label>
          Publisher id (optional) <input name="publisherId" />
        </label>
        <label>
          Valid for (days){" "}
          <input name="validDays" type="number" min={1} max={365} defaultValue={90} />
        </label>
        <button type="submit" disabled={build.isPending}>
          Build signed link
        </button>
      </form>
      {build.isError && (
        <p className="error" role="alert">
          {build.error.message}
        </p>
      )}
      {link && (
        <>
          <p>
            Signed link, valid until {link.expiresAt.slice(0, 10)} (a changed byte is refused with
            400):
          </p>
          <CopyBlock label="Signed redirect link" text={link.url} />
        </>
      )}
    </div>
  );
}
