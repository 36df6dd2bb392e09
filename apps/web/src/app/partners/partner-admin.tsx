"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../../trpc/react";
import { PartnerTrafficPanel } from "./partner-traffic-panel";
import { ShownOnce } from "./shown-once";

const when = (d: Date | string | null) =>
  d ? new Date(d).toISOString().replace("T", " ").slice(0, 16) : "";

/** The partner list, the create form and each partner's keys, signing and traffic. */
export function PartnerAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const partners = useQuery(trpc.partners.list.queryOptions());
  const [shown, setShown] = useState<{ label: string; value: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.partners.pathKey() });
  const onError = (e: { message: string }) => setError(e.message);
  const done = () => {
    setError(null);
    void refresh();
  };

  const create = useMutation(
    trpc.partners.create.mutationOptions({
      onSuccess: (r) => {
        setShown({ label: `API key of ${r.partnerId}`, value: r.apiKey });
        done();
      },
      onError,
    }),
  );
  const rotate = useMutation(
    trpc.partners.rotateKey.mutationOptions({
      onSuccess: (r, v) => {
        setShown({ label: `New API key of ${v.partnerId}`, value: r.apiKey });
        done();
      },
      onError,
    }),
  );
  const revokeKey = useMutation(
    trpc.partners.revokeKey.mutationOptions({ onSuccess: done, onError }),
  );
  const revoke = useMutation(trpc.partners.revoke.mutationOptions({ onSuccess: done, onError }));
  const rateLimit = useMutation(
    trpc.partners.setRateLimit.mutationOptions({ onSuccess: done, onError }),
  );
  const issueSecret = useMutation(
    trpc.partners.issueSigningSecret.mutationOptions({
      onSuccess: (r, v) => {
        setShown({ label: `Signing secret of ${v.partnerId}`, value: r.secret });
        done();
      },
      onError,
    }),
  );
  const retireSecrets = useMutation(
    trpc.partners.retireOldSigningSecrets.mutationOptions({ onSuccess: done, onError }),
  );
  const requireSig = useMutation(
    trpc.partners.setRequireSignature.mutationOptions({ onSuccess: done, onError }),
  );

  const onCreate = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const id = String(form.get("id") ?? "").trim();
    create.mutate({
      name: String(form.get("name") ?? ""),
      ...(id ? { id } : {}),
      rateLimitPerSec: Number(form.get("rateLimitPerSec") || 5000),
    });
  };

  return (
    <div className="partner-admin">
      {shown && <ShownOnce label={shown.label} value={shown.value} />}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}

      <form className="panel create-partner" onSubmit={onCreate} aria-label="Create partner">
        <h2>New partner</h2>
        <label>
          Name <input name="name" required maxLength={200} />
        </label>
        <label>
          Id (optional) <input name="id" pattern="[A-Za-z0-9_.\-]{1,64}" />
        </label>
        <label>
          Rate limit (events/s){" "}
          <input name="rateLimitPerSec" type="number" min={1} defaultValue={5000} />
        </label>
        <button type="submit" disabled={create.isPending}>
          Create partner
        </button>
      </form>

      {partners.isError && <p className="error">{partners.error.message}</p>}
      {partners.data?.length === 0 && <p className="muted">No partners yet.</p>}
      {partners.data?.map((p) => {
        const liveKeys = p.keys.filter((k) => !k.revokedAt);
        return (
          <article key={p.id} className="panel partner" aria-label={`Partner ${p.id}`}>
            <header className="partner-head">
              <h2>
                {p.name} <span className="mono muted">{p.id}</span>
              </h2>
              {p.revokedAt ? (
                <span className="badge bad">revoked {when(p.revokedAt)}</span>
              ) : (
                <button
                  type="button"
                  className="danger"
                  onClick={() => {
                    if (window.confirm(`Revoke ${p.id} and all its keys?`))
                      revoke.mutate({ partnerId: p.id });
                  }}
                >
                  Revoke partner
                </button>
              )}
            </header>

            <h3>API keys ({liveKeys.length} live)</h3>
            <table className="compact">
              <thead>
                <tr>
                  <th>Key</th>
                  <th>Created (UTC)</th>
                  <th>Status</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {p.keys.map((k) => (
                  <tr key={k.id} data-key-prefix={k.prefix}>
                    <td className="mono">{k.prefix}…</td>
                    <td>{when(k.createdAt)}</td>
                    <td>{k.revokedAt ? `revoked ${when(k.revokedAt)}` : "live"}</td>
                    <td>
                      {!k.revokedAt && !p.revokedAt && (
                        <button
                          type="button"
                          onClick={() => revokeKey.mutate({ partnerId: p.id, keyId: k.id })}
                        >
                          Revoke key
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {!p.revokedAt && (
              <p>
                <button type="button" onClick={() => rotate.mutate({ partnerId: p.id })}>
                  Rotate key
                </button>{" "}
                <span className="muted">
                  Issues a new key; the newest old key keeps working until you revoke it.
                </span>
              </p>
            )}

            <h3>Limits and request signing</h3>
            <form
              className="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                const v = Number(new FormData(e.currentTarget).get("rate"));
                rateLimit.mutate({ partnerId: p.id, rateLimitPerSec: v });
              }}
            >
              <label>
                Rate limit (events/s){" "}
                <input name="rate" type="number" min={1} defaultValue={p.rateLimitPerSec} />
              </label>
              <button type="submit" disabled={!!p.revokedAt}>
                Save
              </button>
            </form>
            <p>
              Signatures (HMAC-SHA256, header X-Adclick-Signature):{" "}
              <strong>{p.requireSignature ? "required" : "optional"}</strong>,{" "}
              {p.activeSigningSecrets} active secret(s).
            </p>
            {!p.revokedAt && (
              <p className="actions">
                <button type="button" onClick={() => issueSecret.mutate({ partnerId: p.id })}>
                  Issue signing secret
                </button>
                {p.activeSigningSecrets > 1 && (
                  <button type="button" onClick={() => retireSecrets.mutate({ partnerId: p.id })}>
                    Retire old secret
                  </button>
                )}
                <button
                  type="button"
                  onClick={() =>
                    requireSig.mutate({ partnerId: p.id, require: !p.requireSignature })
                  }
                >
                  {p.requireSignature ? "Stop requiring signatures" : "Require signatures"}
                </button>
              </p>
            )}

            <h3>Ingest traffic</h3>
            <PartnerTrafficPanel partnerId={p.id} />
          </article>
        );
      })}
    </div>
  );
}
