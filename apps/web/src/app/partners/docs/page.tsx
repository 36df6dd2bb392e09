import type { Metadata } from "next";
import Link from "next/link";
import { env } from "../../../env";
import { requirePage } from "../../../server/auth/request-session";
import { buildIngestDocs, type IngestDocs } from "../../../server/partners/ingest-docs";
import { HydrateClient } from "../../../trpc/server";
import { CopyBlock } from "./copy-block";
import { LinkBuilder } from "./link-builder";
import "../partners.css";

export const metadata: Metadata = { title: "Partner docs" };
export const dynamic = "force-dynamic";

async function loadDocs(ingestUrl: string): Promise<IngestDocs | string> {
  try {
    const res = await fetch(`${ingestUrl}/openapi.json`, {
      cache: "no-store",
      signal: AbortSignal.timeout(3_000),
    });
    if (!res.ok) return `the ingest answered ${res.status} for /openapi.json`;
    return buildIngestDocs(await res.json(), ingestUrl, Date.now());
  } catch (error) {
    return `the ingest at ${ingestUrl} did not answer (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** The partners' integration guide, generated from the ingest's own OpenAPI document. */
export default async function PartnerDocsPage() {
  await requirePage("/partners/docs");
  const ingestUrl = `http://127.0.0.1:${env.INGEST_PORT}`;
  const docs = await loadDocs(ingestUrl);
  return (
    <section className="partners-page docs-page">
      <p>
        <Link href="/partners">← Partners</Link>
      </p>
      {typeof docs === "string" ? (
        <>
          <h1>Partner docs</h1>
          <p className="error" role="alert">
            Could not load the ingest's API description: {docs}.
          </p>
        </>
      ) : (
        <>
          <h1>{docs.title}</h1>
          <p>{docs.description}</p>
          <p className="muted">
            Generated from <a href={`${ingestUrl}/openapi.json`}>{ingestUrl}/openapi.json</a>. Set{" "}
            <code>ADCLICK_API_KEY</code> to the partner's key before running an example.
          </p>
          {docs.operations.map((op) => (
            <article key={`${op.method} ${op.path}`} className="panel">
              <h2 className="mono">
                {op.method} {op.path}
              </h2>
              {op.summary && <p>{op.summary}</p>}
              {op.description && <p className="muted">{op.description}</p>}
              <CopyBlock label={`curl ${op.method} ${op.path}`} text={op.curl} />
              {op.responses.length > 0 && (
                <table className="compact">
                  <tbody>
                    {op.responses.map((r) => (
                      <tr key={r.status}>
                        <td className="mono">{r.status}</td>
                        <td>{r.description}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </article>
          ))}
          {docs.eventFields.length > 0 && (
            <article className="panel">
              <h2>Click event fields</h2>
              <table className="compact">
                <tbody>
                  {docs.eventFields.map((f) => (
                    <tr key={f.name}>
                      <td className="mono">{f.name}</td>
                      <td>{f.required ? "required" : "optional"}</td>
                      <td>{f.description}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </article>
          )}
        </>
      )}
      <article className="panel">
        <h2>Signed redirect links</h2>
        <p className="muted">
          A link a partner can place instead of posting clicks: the ingest records the click and
          redirects to the landing URL.
        </p>
        <HydrateClient>
          <LinkBuilder ingestUrl={ingestUrl} />
        </HydrateClient>
      </article>
    </section>
  );
}
