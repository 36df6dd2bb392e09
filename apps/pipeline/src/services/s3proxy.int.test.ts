/** Smoke test of the local S3 server: put, get, list and delete under a throwaway key prefix. */
import { randomBytes } from "node:crypto";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, describe, expect, it } from "vitest";
import { readConfig } from "../config";
import { s3Client } from "./s3proxy-service";
import { LAKE_BUCKET } from "./stack";

describe("local S3 server", () => {
  const config = readConfig();
  const client: S3Client = s3Client(config);
  const prefix = `test-${randomBytes(5).toString("hex")}/`;

  afterAll(async () => {
    const { Contents = [] } = await client.send(
      new ListObjectsV2Command({ Bucket: LAKE_BUCKET, Prefix: prefix }),
    );
    for (const { Key } of Contents) {
      if (Key?.startsWith(prefix))
        await client.send(new DeleteObjectCommand({ Bucket: LAKE_BUCKET, Key }));
    }
    client.destroy();
  });

  it("stores, lists, reads back and deletes an object in the lake bucket", async () => {
    const key = `${prefix}raw/dt=2026-01-01/hour=00/part-0.json`;
    const body = JSON.stringify({ event_id: "e1", clicks: 1 });
    await client.send(
      new PutObjectCommand({
        Bucket: LAKE_BUCKET,
        Key: key,
        Body: body,
        ContentType: "application/json",
      }),
    );

    const listed = await client.send(
      new ListObjectsV2Command({ Bucket: LAKE_BUCKET, Prefix: prefix }),
    );
    expect(listed.Contents?.map((o) => o.Key)).toEqual([key]);

    const got = await client.send(new GetObjectCommand({ Bucket: LAKE_BUCKET, Key: key }));
    expect(await got.Body?.transformToString()).toBe(body);

    await client.send(new DeleteObjectCommand({ Bucket: LAKE_BUCKET, Key: key }));
    const after = await client.send(
      new ListObjectsV2Command({ Bucket: LAKE_BUCKET, Prefix: prefix }),
    );
    expect(after.Contents ?? []).toEqual([]);
  });
});
