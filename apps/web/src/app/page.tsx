import Link from "next/link";
import { SystemStatus } from "./system-status";

export default function HomePage() {
  return (
    <>
      <h1>Ad click aggregator</h1>
      <p className="lead">
        Partners send click events; advertisers see their campaigns counted within seconds and are
        billed exactly once per valid click.
      </p>
      <ul className="features">
        <li>Live counters per campaign in 5-minute windows, by country, device and partner.</li>
        <li>Fraud filtering, with suspicious clicks queued for analysts to review.</li>
        <li>Nightly billing from the raw click archive, reconciled against the live counts.</li>
      </ul>
      <p>
        <Link href="/login" className="button">
          Sign in
        </Link>
      </p>
      <SystemStatus />
    </>
  );
}
