import type { ReactNode } from "react";

/** A role's page that is not built yet: its heading and an honest line about what will be here. */
export function PageShell({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="page-shell">
      <h1>{title}</h1>
      {children}
    </section>
  );
}
