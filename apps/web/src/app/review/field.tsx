import type { ReactNode } from "react";

/** A labelled control in the workspace's forms: the label text above, its message below. */
export function Field(props: {
  label: string;
  children: ReactNode;
  error?: string;
  wide?: boolean;
}) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is passed as children, inside the label
    <label className={props.wide ? "review-field review-field-wide" : "review-field"}>
      <span>{props.label}</span>
      {props.children}
      {props.error && <span className="review-field-error">{props.error}</span>}
    </label>
  );
}
