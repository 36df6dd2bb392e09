/**
 * s3proxy: an S3 API over a plain folder (data/s3), run from the jars
 * infra/s3proxy/pom.xml pulls from Maven Central. Clients use path-style
 * addressing and the C7 credentials.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "@adclick/shared";
import {
  CreateBucketCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { JavaService } from "./java-service";
import { renderTemplate } from "./kafka-service";
import type { StackPaths } from "./paths";
import type { Say } from "./service";

export interface S3ProxyServiceOptions {
  config: Config;
  paths: StackPaths;
  host: string;
  port: number;
  /** Buckets to create once the server answers. */
  buckets: string[];
}

export function s3Client(config: Config, endpoint = config.S3_ENDPOINT): S3Client {
  return new S3Client({
    endpoint,
    region: config.S3_REGION,
    forcePathStyle: true,
    credentials: {
      accessKeyId: config.AWS_ACCESS_KEY_ID,
      secretAccessKey: config.AWS_SECRET_ACCESS_KEY,
    },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000 },
  });
}

/** Healthy when a signed ListBuckets call succeeds. */
export async function probeS3(config: Config, endpoint: string): Promise<string> {
  const client = s3Client(config, endpoint);
  try {
    const { Buckets = [] } = await client.send(new ListBucketsCommand({}));
    return `${Buckets.length} bucket${Buckets.length === 1 ? "" : "s"}`;
  } finally {
    client.destroy();
  }
}

/** Creates the buckets that do not exist yet; returns the ones it created. */
export async function ensureBuckets(
  config: Config,
  endpoint: string,
  buckets: string[],
): Promise<string[]> {
  const client = s3Client(config, endpoint);
  const created: string[] = [];
  try {
    for (const bucket of buckets) {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
        continue;
      } catch (err) {
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata
          ?.httpStatusCode;
        if (status !== 404) throw err;
      }
      try {
        await client.send(new CreateBucketCommand({ Bucket: bucket }));
        created.push(bucket);
      } catch (err) {
        const name = (err as { name?: string }).name;
        if (name !== "BucketAlreadyOwnedByYou" && name !== "BucketAlreadyExists") throw err;
      }
    }
    return created;
  } finally {
    client.destroy();
  }
}

export function s3ProxyService({
  config,
  paths,
  host,
  port,
  buckets,
}: S3ProxyServiceOptions): JavaService {
  const endpoint = `http://${host}:${port}`;
  const files = {
    pom: join(paths.infraDir, "s3proxy", "pom.xml"),
    template: join(paths.infraDir, "s3proxy", "s3proxy.conf"),
    logback: join(paths.infraDir, "s3proxy", "logback.xml"),
    libDir: join(paths.cacheDir, "s3proxy-libs"),
    dataDir: join(paths.dataDir, "s3"),
    conf: join(paths.confDir, "s3proxy.conf"),
  };
  return new JavaService({
    name: "s3proxy",
    label: "S3 server",
    host,
    port,
    paths,
    pom: files.pom,
    libDir: files.libDir,
    mainClass: "org.gaul.s3proxy.Main",
    jvmArgs: [
      "-Xms64m",
      "-Xmx512m",
      "-Djava.awt.headless=true",
      `-Dlogback.configurationFile=${files.logback}`,
    ],
    mainArgs: ["--properties", files.conf],
    logFile: join(paths.logDir, "s3proxy.log"),
    stdoutFile: join(paths.logDir, "s3proxy.log"),
    startTimeoutMs: 60_000,
    stopGraceMs: 10_000,
    probe: () => probeS3(config, endpoint),
    async prepare() {
      mkdirSync(files.dataDir, { recursive: true });
      const conf = renderTemplate(readFileSync(files.template, "utf8"), {
        PORT: port,
        IDENTITY: config.AWS_ACCESS_KEY_ID,
        CREDENTIAL: config.AWS_SECRET_ACCESS_KEY,
        DATA_DIR: files.dataDir,
      });
      writeFileSync(files.conf, conf, { mode: 0o600 });
    },
    async afterUp(say: Say) {
      for (const bucket of await ensureBuckets(config, endpoint, buckets)) {
        say(`created bucket ${bucket}`);
      }
    },
  });
}
