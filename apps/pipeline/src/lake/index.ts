import { type Config, parseLakeUrl } from "@adclick/shared";
import { FileLakeStore } from "./file-lake-store";
import type { LakeStore } from "./lake-store";
import { S3LakeStore } from "./s3-lake-store";

export { FileLakeStore } from "./file-lake-store";
export type { LakeStore, S3Settings } from "./lake-store";
export { S3LakeStore } from "./s3-lake-store";

/** Opens the lake that LAKE_URL names: a local folder, or a bucket on S3_ENDPOINT. */
export function openLake(config: Config, cwd: string): LakeStore {
  const location = parseLakeUrl(config.LAKE_URL, cwd);
  if (location.kind === "file") return new FileLakeStore(location.root);
  return new S3LakeStore(location.bucket, location.prefix, {
    endpoint: config.S3_ENDPOINT,
    region: config.S3_REGION,
    accessKeyId: config.AWS_ACCESS_KEY_ID,
    secretAccessKey: config.AWS_SECRET_ACCESS_KEY,
  });
}
