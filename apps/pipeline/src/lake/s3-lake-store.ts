import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { assertKey, type LakeStore, type S3Settings } from "./lake-store";

/** Objects at or above this size go up as a multipart upload, in parts of this size. */
const PART_SIZE = 8 * 1024 * 1024;

/** The lake in an S3 bucket (`LAKE_URL=s3://bucket/prefix`), path-style for local S3-API servers. */
export class S3LakeStore implements LakeStore {
  readonly url: string;
  private readonly client: S3Client;
  private bucketChecked: Promise<void> | null = null;

  constructor(
    private readonly bucket: string,
    private readonly prefix: string,
    settings: S3Settings,
  ) {
    this.url = `s3://${bucket}/${prefix}`;
    this.client = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      forcePathStyle: true,
      credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    });
  }

  private objectKey(key: string): string {
    assertKey(key);
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  localPath(): null {
    return null;
  }

  /** Creates the bucket on first write when it is missing (local stacks start empty). */
  private ensureBucket(): Promise<void> {
    this.bucketChecked ??= (async () => {
      try {
        await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      } catch {
        await this.client
          .send(new CreateBucketCommand({ Bucket: this.bucket }))
          .catch((err: { name?: string }) => {
            if (err.name !== "BucketAlreadyOwnedByYou" && err.name !== "BucketAlreadyExists")
              throw err;
          });
      }
    })().catch((err) => {
      this.bucketChecked = null;
      throw err;
    });
    return this.bucketChecked;
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const objectKey = this.objectKey(key);
    await this.ensureBucket();
    // lib-storage sends one PutObject below PART_SIZE and a multipart upload above it.
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: objectKey,
        Body: body,
        ContentType: "application/vnd.apache.parquet",
      },
      partSize: PART_SIZE,
      queueSize: 4,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async get(key: string): Promise<Uint8Array> {
    const out = await this.client.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
    );
    if (!out.Body) throw new Error(`lake object ${key} has no body`);
    return out.Body.transformToByteArray();
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const full = this.prefix ? `${this.prefix}/${prefix}` : prefix;
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    let token: string | undefined;
    do {
      let out: import("@aws-sdk/client-s3").ListObjectsV2CommandOutput;
      try {
        out = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: full, ContinuationToken: token }),
        );
      } catch (err) {
        if ((err as { name?: string }).name === "NoSuchBucket") return [];
        throw err;
      }
      for (const obj of out.Contents ?? []) if (obj.Key) keys.push(obj.Key.slice(strip));
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    await this.client.send(
      new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
    );
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
      );
      return true;
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === "NotFound" || e.name === "NoSuchKey" || e.$metadata?.httpStatusCode === 404)
        return false;
      throw err;
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
