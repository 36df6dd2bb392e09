/**
 * The archiver under the faults of issue 14 defect 1: an ambiguous commit, a
 * zombie owner, a stale writer's timed roll and a fatal consumer crash. Every
 * check reads the lake back with the Parquet library.
 */
import { type ClickRecord, groupName, loadConfig, topicName } from "@adclick/shared";
import type { Admin, Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import { createKafka } from "../kafka/client";
import { ensureTopics } from "../kafka/topics";
import { decodeClicks } from "../lake/click-parquet";
import { FileLakeStore } from "../lake/file-lake-store";
import type { LakeStore } from "../lake/lake-store";
import { createLogger } from "../runtime/logger";
import { createRegistry } from "../runtime/metrics";
import { Archiver, type ArchiverOptions } from "./archiver";

const DAY_MS = Date.UTC(2026, 1, 14);
const logger = createLogger("silent");

function makeClick(i: number, tag: string): ClickRecord {
  const ts = DAY_MS + 10 * 3_600_000 + ((i * 7919) % (2 * 3_600_000));
  return {
    event_id: `${tag}-${i}`,
    partner_id: `partner-${i % 3}`,
    campaign_id: `cmp-${i % 7}`,
    advertiser_id: "adv-1",
    ad_id: `ad-${i % 4}`,
    user_id: `user-${i % 90}`,
    ip: `10.9.${i % 200}.${i % 250}`,
    user_agent: "Mozilla/5.0 test",
    ts,
    received_at: ts + 10,
    country: "DE",
    device: "desktop",
    publisher_id: null,
    referrer: null,
    cost_micros: 50_000,
  };
}

async function waitFor(predicate: () => Promise<boolean> | boolean, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A real folder lake that records every data-file write, as a test's own decorator. */
class RecordingLake extends FileLakeStore {
  readonly dataPuts: Array<{ key: string; at: number }> = [];
  override async put(key: string, body: Uint8Array): Promise<void> {
    if (key.endsWith(".parquet")) this.dataPuts.push({ key, at: Date.now() });
    await super.put(key, body);
  }
}

async function lakeEventIds(lake: LakeStore): Promise<string[]> {
  const keys = (await lake.list("raw/")).filter((k) => k.endsWith(".parquet"));
  const ids: string[] = [];
  for (const key of keys)
    for (const r of await decodeClicks(await lake.get(key))) ids.push(r.event_id);
  return ids.sort();
}

describe("archiver faults", () => {
  let stack: TestStack;
  let producer: Producer;
  let admin: Admin;
  const archivers: Archiver[] = [];

  beforeAll(async () => {
    stack = await createTestStack({ database: false });
    const kafka = createKafka(stack.config, "archiver-faults-test");
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    for (const a of archivers) await a.stop().catch(() => undefined);
    await producer?.disconnect();
    await admin?.disconnect();
    await stack?.cleanup();
  });

  /** A fresh topic prefix (and so a fresh group) and lake folder per test. */
  async function scenario(name: string) {
    const prefix = `${stack.topicPrefix}${name}.`;
    const config = loadConfig({ ...stack.env, KAFKA_TOPIC_PREFIX: prefix });
    await ensureTopics(admin, config, ["raw", "fraud"]);
    const lake = new RecordingLake(`${stack.lakeDir}/${name}`);
    const topic = topicName(prefix, "raw");
    const produce = (clicks: ClickRecord[], partition?: number) =>
      producer.send({
        topic,
        acks: -1,
        messages: clicks.map((c) => ({ key: c.campaign_id, value: JSON.stringify(c), partition })),
      });
    const committed = async (partition: number) => {
      const [t] = await admin.fetchOffsets({
        groupId: groupName(prefix, "archiver"),
        topics: [topic],
      });
      return t?.partitions.find((p) => p.partition === partition)?.offset;
    };
    const archiver = (extra: Partial<ArchiverOptions> = {}) => {
      const registry = createRegistry();
      const a = new Archiver({ config, lake, logger, registry, ...extra });
      archivers.push(a);
      return { archiver: a, registry };
    };
    return { config, lake, topic, produce, committed, archiver };
  }

  const metric = async (registry: ReturnType<typeof createRegistry>, name: string) =>
    (await registry.getSingleMetric(name)?.get())?.values.reduce((s, v) => s + v.value, 0) ?? 0;

  it("an ambiguous commit (applied by the broker, response lost) leaves every event in the lake exactly once", async () => {
    const s = await scenario("ambiguous");
    let injected = 0;
    const { archiver } = s.archiver({
      maxSegmentEvents: 100,
      faults: {
        // The commit reaches the broker and is applied; its response is then lost.
        async aroundCommit(_segment, commit) {
          await commit();
          if (injected < 2) {
            injected++;
            throw new Error("connection closed before the OffsetCommit response");
          }
        },
      },
    });
    const clicks = Array.from({ length: 400 }, (_, i) => makeClick(i, "amb"));
    await archiver.start();
    await s.produce(clicks, 0);
    await waitFor(async () => (await s.committed(0)) === "400", 60_000, "offset 400 committed");
    await archiver.stop();
    expect(injected).toBe(2);
    expect(await lakeEventIds(s.lake)).toEqual(clicks.map((c) => c.event_id).sort());
    expect(await s.lake.list("_pending/")).toEqual([]);
  }, 90_000);

  it("a zombie owner whose commit is refused cannot delete the new owner's files", async () => {
    const s = await scenario("zombie");
    let atCommit!: () => void;
    const reachedCommit = new Promise<void>((r) => {
      atCommit = r;
    });
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    let zombieCommitDone = false;
    const zombie = s.archiver({
      maxSegmentEvents: 100,
      sessionTimeoutMs: 6_000,
      rebalanceTimeoutMs: 6_000,
      faults: {
        // Stalls at its commit (a long GC pause, a slow disk) past its session timeout.
        async aroundCommit(_segment, commit) {
          atCommit();
          await released;
          try {
            await commit();
          } finally {
            zombieCommitDone = true;
          }
        },
      },
    });
    const clicks = Array.from({ length: 100 }, (_, i) => makeClick(i, "zmb"));
    await zombie.archiver.start();
    await s.produce(clicks, 0);
    await reachedCommit;

    const owner = s.archiver({
      maxSegmentEvents: 100,
      sessionTimeoutMs: 6_000,
      rebalanceTimeoutMs: 6_000,
    });
    await owner.archiver.start();
    await waitFor(async () => (await s.committed(0)) === "100", 60_000, "the new owner's commit");
    expect(await lakeEventIds(s.lake)).toEqual(clicks.map((c) => c.event_id).sort());

    release();
    await waitFor(() => zombieCommitDone, 60_000, "the zombie's commit attempt");
    await waitFor(
      async () => (await metric(zombie.registry, "adclick_archiver_failed_segments_total")) >= 1,
      30_000,
      "the zombie to give its segment up",
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await lakeEventIds(s.lake)).toEqual(clicks.map((c) => c.event_id).sort());
    await zombie.archiver.stop();
    await owner.archiver.stop();
    expect(await lakeEventIds(s.lake)).toEqual(clicks.map((c) => c.event_id).sort());
  }, 120_000);

  it("the timed roll of a writer paused past its session timeout writes nothing", async () => {
    const s = await scenario("paused");
    const { archiver, registry } = s.archiver({
      maxSegmentEvents: 1_000_000,
      maxSegmentAgeMs: 4_000,
      sessionTimeoutMs: 6_000,
      rebalanceTimeoutMs: 6_000,
    });
    const clicks = Array.from({ length: 50 }, (_, i) => makeClick(i, "pause"));
    await archiver.start();
    await s.produce(clicks, 1);
    await waitFor(
      async () => (await metric(registry, "adclick_archiver_open_events")) === 50,
      30_000,
      "the events in an open segment",
    );
    // The whole process stops for 9 s, as under SIGSTOP: no heartbeats, the broker evicts it.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 9_000);
    const resumedAt = Date.now();
    // The overdue timed roll fires first; give it time to write, were it allowed to.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(s.lake.dataPuts.filter((p) => p.at >= resumedAt - 50)).toEqual([]);
    // Once it has rejoined, the events are consumed again and archived once.
    await waitFor(async () => (await s.committed(1)) === "50", 60_000, "offset 50 committed");
    expect(await lakeEventIds(s.lake)).toEqual(clicks.map((c) => c.event_id).sort());
  }, 90_000);

  it("is not ready once its consumer crashed for good", async () => {
    const s = await scenario("fatal");
    const broken = Object.assign(Object.create(s.lake) as LakeStore, {
      put: async (key: string, body: Uint8Array) => {
        if (key.endsWith(".parquet"))
          throw Object.assign(new Error("lake refuses writes"), { retriable: false });
        return s.lake.put(key, body);
      },
    });
    const registry = createRegistry();
    const archiver = new Archiver({
      config: s.config,
      lake: broken,
      logger,
      registry,
      maxSegmentEvents: 10,
    });
    archivers.push(archiver);
    await archiver.start();
    await waitFor(() => archiver.ready(), 30_000, "ready");
    await s.produce(
      Array.from({ length: 10 }, (_, i) => makeClick(i, "fatal")),
      2,
    );
    await waitFor(() => !archiver.ready(), 30_000, "readiness to turn false");
    expect(archiver.ready()).toBe(false);
  }, 60_000);
});
