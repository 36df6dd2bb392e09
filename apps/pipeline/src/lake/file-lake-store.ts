import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { assertKey, type LakeStore } from "./lake-store";

/** The lake as a local folder (`LAKE_URL=file://…`): the default for development and tests. */
export class FileLakeStore implements LakeStore {
  readonly url: string;

  constructor(private readonly root: string) {
    this.url = `file://${root}`;
  }

  localPath(key: string): string {
    assertKey(key);
    return join(this.root, key);
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const path = this.localPath(key);
    const dir = dirname(path);
    await mkdir(dir, { recursive: true });
    // Write a temporary file, fsync it, rename it into place, fsync the folder:
    // a crash leaves either the old object or the complete new one.
    const tmp = join(dir, `.tmp-${randomBytes(6).toString("hex")}`);
    const handle = await open(tmp, "w");
    try {
      await handle.writeFile(body);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
    await syncDir(dir);
  }

  async get(key: string): Promise<Uint8Array> {
    return readFile(this.localPath(key));
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries: import("node:fs").Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (
          (err as NodeJS.ErrnoException).code === "ENOENT" ||
          (err as NodeJS.ErrnoException).code === "ENOTDIR"
        )
          return;
        throw err;
      }
      for (const entry of entries) {
        if (entry.name.startsWith(".tmp-")) continue;
        const full = join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else keys.push(relative(this.root, full).split(sep).join("/"));
      }
    };
    // Start from the deepest folder the prefix names, then filter by the full prefix.
    const folder = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    await walk(folder ? join(this.root, folder) : this.root);
    return keys.filter((k) => k.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    await rm(this.localPath(key), { force: true });
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.localPath(key))).isFile();
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {}
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
