import { type PartitionAssigner, PartitionAssigners } from "kafkajs";
import type { AggregateStore } from "./aggregate-store";

/** The group protocol name; members also offer kafkajs's RoundRobinAssigner, for rolling upgrades. */
export const FENCING_ASSIGNER = "AdclickFencedRoundRobin";

/**
 * kafkajs's round-robin assignment, plus the generation's fencing epoch: the
 * leader claims it (compare-and-set on the token it read when it started) before
 * handing out the assignment, so no member of the generation can write before
 * its epoch exists, and a leader whose claim was delayed past a newer
 * generation's gets refused and fails its own (already stale) assignment instead
 * of taking the epoch past the new owners.
 */
export function fencingAssigner(store: AggregateStore, groupId: string): PartitionAssigner {
  return (config) => {
    const roundRobin = PartitionAssigners.roundRobin(config);
    return {
      name: FENCING_ASSIGNER,
      version: 0,
      async assign({ members, topics }) {
        const token = await store.epochToken(groupId);
        const assignment = await roundRobin.assign({ members, topics });
        const epoch = await store.claimEpoch(
          groupId,
          token,
          members.map((m) => m.memberId),
        );
        if (epoch === 0)
          throw new Error(
            "a newer generation claimed the fencing epoch while this one was being assigned",
          );
        return assignment;
      },
      protocol({ topics }) {
        return { name: FENCING_ASSIGNER, metadata: roundRobin.protocol({ topics }).metadata };
      },
    };
  };
}
