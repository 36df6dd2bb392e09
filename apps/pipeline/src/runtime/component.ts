/**
 * The small contract every pipeline role implements. The role runner composes
 * components, serves health and metrics for all of them, and stops them in
 * reverse start order on SIGTERM.
 */
export interface Component {
  readonly name: string;
  /** Connects and starts work; resolves when the component is running. */
  start(): Promise<void>;
  /** True while the component can do its job (for /readyz). */
  ready(): boolean;
  /** Finishes or hands back in-flight work, then releases resources. */
  stop(): Promise<void>;
}
