import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/** `<repo>/data/demo-partner-keys.json`: data/ is git-ignored. */
export const DEFAULT_DEMO_KEYS_FILE = join(
  resolve(dirname(fileURLToPath(import.meta.url)), "../../../.."),
  "data",
  "demo-partner-keys.json",
);

export const DemoPartnerKeys = z.object({
  partners: z.array(z.object({ partner_id: z.string(), name: z.string(), api_key: z.string() })),
});
export type DemoPartnerKeys = z.infer<typeof DemoPartnerKeys>;

/**
 * The demo partners' API keys as `adclick seed` left them, for the simulator.
 * Null when the file is missing or unreadable (then run `adclick seed`).
 */
export async function readDemoPartnerKeys(
  file = DEFAULT_DEMO_KEYS_FILE,
): Promise<DemoPartnerKeys | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return null;
  }
  try {
    const parsed = DemoPartnerKeys.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Writes the file atomically, readable only by its owner (it holds secrets). */
export async function writeDemoPartnerKeys(file: string, keys: DemoPartnerKeys): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}
