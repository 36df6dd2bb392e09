import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { TRPCReactProvider } from "../trpc/react";
import { SiteNav } from "./site-nav";
import "./globals.css";
import "./site-nav.css";

export const metadata: Metadata = {
  title: { default: "adclick", template: "%s · adclick" },
  description: "Ad click aggregator: live campaign counts, fraud review and exact nightly billing.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <Link href="/" className="brand">
            adclick
          </Link>
          <SiteNav />
        </header>
        <main className="site-main">
          <TRPCReactProvider>{children}</TRPCReactProvider>
        </main>
      </body>
    </html>
  );
}
