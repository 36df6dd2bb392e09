/// <reference path="./cluster-key-slot.d.ts" />
import calculateSlot from "cluster-key-slot";

/** Hash slots of a Redis Cluster. */
export const CLUSTER_SLOTS = 16384;

/** The Redis Cluster hash slot of a key: CRC16 of its `{hash tag}` when it has a non-empty one. */
export function keySlot(key: string): number {
  return calculateSlot(key);
}

/**
 * Throws when `keys` span more than one hash slot: a script or transaction
 * over them would be refused by a Redis Cluster (CROSSSLOT).
 */
export function assertOneSlot(keys: readonly string[], what: string): void {
  const first = keys[0];
  if (first === undefined) return;
  const slot = keySlot(first);
  const other = keys.find((k) => keySlot(k) !== slot);
  if (other !== undefined)
    throw new Error(
      `${what}: keys ${first} and ${other} lie in different Redis Cluster slots; give them one {hash tag}`,
    );
}
