import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Runs a TypeScript bench script in a process of its own (so its CPU time and
 * memory are its alone), passing `input` as JSON in argv[2], and returns the
 * JSON object on the last line it prints.
 */
export function runChild<T>(script: URL, input: unknown, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", fileURLToPath(script), JSON.stringify(input)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`${what} exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as T);
      } catch (err) {
        reject(err);
      }
    });
  });
}
