"use client";

import { BLOCKLIST_KINDS, type BlocklistKind } from "@adclick/shared/blocklist-value";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../../../trpc/react";
import { Field } from "../field";

const KIND_LABEL: Record<BlocklistKind, string> = {
  ip: "IP address",
  cidr: "Network (CIDR)",
  user_agent: "User-agent pattern",
};

const PLACEHOLDER: Record<BlocklistKind, string> = {
  ip: "203.0.113.7 or 2001:db8::7",
  cidr: "203.0.113.0/24",
  user_agent: "ClickBot/",
};

const utc = (d: Date | string | null) =>
  d ? new Date(d).toISOString().slice(0, 16).replace("T", " ") : "—";

/** The entries in force, a form to add one (checked as the CLI checks it) and removal. */
export function BlocklistManager() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<BlocklistKind>("ip");
  const [value, setValue] = useState("");
  const [reason, setReason] = useState("");
  const [expires, setExpires] = useState("");
  const [message, setMessage] = useState("");
  const entries = useQuery(trpc.review.blocklist.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.review.pathKey() });
  const add = useMutation(
    trpc.review.blockAdd.mutationOptions({
      onSuccess: (entry) => {
        setMessage(`Blocked ${entry.value} (entry ${entry.id}).`);
        setValue("");
        setReason("");
        setExpires("");
        void refresh();
      },
    }),
  );
  const remove = useMutation(
    trpc.review.blockRemove.mutationOptions({
      onSuccess: (entry) => {
        setMessage(`Removed ${entry.value} (entry ${entry.id}).`);
        void refresh();
      },
    }),
  );
  const fieldErrors = add.error?.data?.zodError?.fieldErrors as
    | Record<string, string[] | undefined>
    | undefined;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setMessage("");
    add.mutate({
      kind,
      value,
      reason,
      // The picker gives a local date and time; the server keeps an instant.
      expiresAt: expires ? new Date(expires).toISOString() : undefined,
    });
  };

  return (
    <div>
      <form onSubmit={onSubmit} noValidate aria-label="Add a blocklist entry">
        <fieldset className="review-form">
          <legend>Add an entry</legend>
          <Field label="Kind">
            <select
              name="kind"
              value={kind}
              onChange={(e) => setKind(e.target.value as BlocklistKind)}
            >
              {BLOCKLIST_KINDS.map((k) => (
                <option key={k} value={k}>
                  {KIND_LABEL[k]}
                </option>
              ))}
            </select>
          </Field>
          <Field label={KIND_LABEL[kind]} error={fieldErrors?.value?.[0]} wide>
            <input
              name="value"
              value={value}
              placeholder={PLACEHOLDER[kind]}
              aria-invalid={fieldErrors?.value ? true : undefined}
              onChange={(e) => setValue(e.target.value)}
            />
          </Field>
          <Field label="Reason" error={fieldErrors?.reason?.[0]} wide>
            <input
              name="reason"
              value={reason}
              placeholder="Why, for the audit trail"
              aria-invalid={fieldErrors?.reason ? true : undefined}
              onChange={(e) => setReason(e.target.value)}
            />
          </Field>
          <Field label="Expires (optional)" error={fieldErrors?.expiresAt?.[0]}>
            <input
              name="expiresAt"
              type="datetime-local"
              value={expires}
              aria-invalid={fieldErrors?.expiresAt ? true : undefined}
              onChange={(e) => setExpires(e.target.value)}
            />
          </Field>
          <div className="review-field">
            <span aria-hidden="true">&nbsp;</span>
            <button type="submit" className="button" disabled={add.isPending}>
              Block
            </button>
          </div>
        </fieldset>
      </form>
      {add.error && !fieldErrors && (
        <p className="state state-error" role="alert">
          {add.error.message}
        </p>
      )}
      {remove.error && (
        <p className="state state-error" role="alert">
          {remove.error.message}
        </p>
      )}
      {message && <p role="status">{message}</p>}
      {entries.isPending ? (
        <p className="state" role="status">
          Loading the blocklist…
        </p>
      ) : entries.isError ? (
        <p className="state state-error" role="alert">
          The blocklist could not be loaded: {entries.error.message}
        </p>
      ) : entries.data.length === 0 ? (
        <p className="state">Nothing is blocked.</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table review-table" aria-label="Blocklist entries">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Kind</th>
                <th scope="col">Value</th>
                <th scope="col">Reason</th>
                <th scope="col">Added by</th>
                <th scope="col">Added (UTC)</th>
                <th scope="col">Expires (UTC)</th>
                <th scope="col">
                  <span className="visually-hidden">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {entries.data.map((e) => (
                <tr key={e.id} data-value={e.value}>
                  <td className="mono">{e.id}</td>
                  <td>{KIND_LABEL[e.kind]}</td>
                  <td className="mono">{e.value}</td>
                  <td className="review-wrap">{e.reason}</td>
                  <td>{e.createdBy}</td>
                  <td className="mono">{utc(e.createdAt)}</td>
                  <td className="mono">{e.expiresAt ? utc(e.expiresAt) : "never"}</td>
                  <td>
                    <button
                      type="button"
                      className="button-secondary"
                      disabled={remove.isPending}
                      onClick={() => remove.mutate({ id: e.id })}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
