/**
 * Download `billing_daily` for a date range as CSV: a plain GET form, so the
 * browser saves the file the route answers. Finance picks the advertiser; an
 * advertiser's export is always its own.
 */
export function BillingExportForm({
  advertisers,
  from,
  to,
}: {
  /** Null for an advertiser user, who has no choice. */
  advertisers: ReadonlyArray<{ id: string; name: string }> | null;
  from: string;
  to: string;
}) {
  return (
    <form
      className="invoice-form"
      method="get"
      action="/invoices/billing.csv"
      aria-label="Billing export"
    >
      {advertisers && (
        <label className="field">
          Advertiser
          <select name="advertiser" defaultValue={advertisers[0]?.id} required>
            {advertisers.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} ({a.id})
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="field">
        From
        <input type="date" name="from" defaultValue={from} required />
      </label>
      <label className="field">
        To
        <input type="date" name="to" defaultValue={to} required />
      </label>
      <button type="submit" className="button">
        Download billing CSV
      </button>
    </form>
  );
}
