import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import { FileLakeStore } from "./file-lake-store";
import type { LakeStore } from "./lake-store";
import { S3LakeStore } from "./s3-lake-store";

const backends: Array<[string, (stack: TestStack) => LakeStore]> = [
  ["file://", (stack) => new FileLakeStore(stack.lakeDir)],
  [
    "s3://",
    (stack) =>
      new S3LakeStore("adclick-lake", `test-${randomBytes(5).toString("hex")}`, {
        endpoint: stack.config.S3_ENDPOINT,
        region: stack.config.S3_REGION,
        accessKeyId: stack.config.AWS_ACCESS_KEY_ID,
        secretAccessKey: stack.config.AWS_SECRET_ACCESS_KEY,
      }),
  ],
];

describe.each(backends)(
  "the lake's file:// and s3:// back ends behave the same: %s",
  (_name, open) => {
    let stack: TestStack;
    let lake: LakeStore;

    beforeAll(async () => {
      stack = await createTestStack({ database: false });
      lake = open(stack);
    });

    afterAll(async () => {
      if (lake) {
        for (const key of await lake.list("")) await lake.delete(key);
        await lake.close();
      }
      await stack?.cleanup();
    });

    it("stores, overwrites, reads and deletes objects", async () => {
      const key = "raw/dt=2026-01-31/hour=05/p0001-a.parquet";
      expect(await lake.exists(key)).toBe(false);
      await lake.put(key, Buffer.from("first"));
      expect(await lake.exists(key)).toBe(true);
      await lake.put(key, Buffer.from("second"));
      expect(Buffer.from(await lake.get(key)).toString()).toBe("second");
      await lake.delete(key);
      expect(await lake.exists(key)).toBe(false);
      await lake.delete(key); // deleting a missing object is fine
      await expect(lake.get(key)).rejects.toThrow();
    });

    it("lists keys recursively under a prefix, sorted, without siblings", async () => {
      const keys = [
        "raw/dt=2026-01-31/hour=01/p0000-2.parquet",
        "raw/dt=2026-01-31/hour=00/p0000-1.parquet",
        "raw/dt=2026-01-31/hour=00/p0001-1.parquet",
        "raw/dt=2026-01-311/hour=00/x.parquet",
        "fraud/dt=2026-01-31/hour=00/p0000-1.parquet",
      ];
      for (const k of keys) await lake.put(k, Buffer.from(k));
      expect(await lake.list("raw/dt=2026-01-31/")).toEqual([
        "raw/dt=2026-01-31/hour=00/p0000-1.parquet",
        "raw/dt=2026-01-31/hour=00/p0001-1.parquet",
        "raw/dt=2026-01-31/hour=01/p0000-2.parquet",
      ]);
      expect(await lake.list("raw/dt=2026-01-31/hour=00/p0001")).toEqual([
        "raw/dt=2026-01-31/hour=00/p0001-1.parquet",
      ]);
      expect(await lake.list("nothing/here/")).toEqual([]);
      expect((await lake.list("")).length).toBe(keys.length);
    });

    it("round-trips an object larger than one multipart part", async () => {
      const body = randomBytes(9 * 1024 * 1024 + 123);
      await lake.put("big/object.bin", body);
      expect(Buffer.compare(Buffer.from(await lake.get("big/object.bin")), body)).toBe(0);
    });

    it("refuses keys that escape the lake", async () => {
      await expect(lake.put("../escape", Buffer.from("x"))).rejects.toThrow(/relative path/);
      await expect(lake.put("/abs", Buffer.from("x"))).rejects.toThrow(/relative path/);
    });
  },
);
