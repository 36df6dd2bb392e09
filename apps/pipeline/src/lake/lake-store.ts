import type { LakeLocation } from "@adclick/shared";

/**
 * The data lake as a flat namespace of objects (C4). Keys are relative
 * `/`-separated paths such as `raw/dt=2026-01-31/hour=13/p0003-….parquet`.
 * `put` is durable when it resolves: a local file is fsynced and renamed into
 * place, an S3 object is complete.
 */
export interface LakeStore {
  /** Human-readable location, for logs. */
  readonly url: string;
  put(key: string, body: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array>;
  /** Every key under `prefix` (recursive), sorted. */
  list(prefix: string): Promise<string[]>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** The local path of an object when the lake is a folder (so readers can open it in place), else null. */
  localPath(key: string): string | null;
  close(): Promise<void>;
}

export interface S3Settings {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export function assertKey(key: string): void {
  if (
    !key ||
    key.startsWith("/") ||
    key.split("/").some((part) => part === ".." || part === "." || part === "")
  ) {
    throw new Error(`lake key must be a relative path without . or .. segments, got "${key}"`);
  }
}

export type { LakeLocation };
