import { describe, expect, it } from "vitest";
import { awaitAck, withRetries } from "./ack-deadline";

describe("awaitAck", () => {
  it("reports an acknowledgement within the deadline", async () => {
    expect(await awaitAck(Promise.resolve(), 1000)).toEqual({ kind: "acked" });
  });

  it("reports a failed send with its error", async () => {
    const error = new Error("broker gone");
    expect(await awaitAck(Promise.reject(error), 1000)).toEqual({ kind: "failed", error });
  });

  it("reports a send still in flight at the deadline as late", async () => {
    const never = new Promise<void>(() => undefined);
    const started = Date.now();
    expect(await awaitAck(never, 30)).toEqual({ kind: "late" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});

describe("withRetries", () => {
  it("retries until the call succeeds", async () => {
    let calls = 0;
    const value = await withRetries(
      async () => {
        calls++;
        if (calls < 3) throw new Error("transient");
        return "ok";
      },
      4,
      1,
    );
    expect(value).toBe("ok");
    expect(calls).toBe(3);
  });

  it("gives up after the last attempt with the last error", async () => {
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new Error(`failure ${calls}`);
        },
        3,
        1,
      ),
    ).rejects.toThrow("failure 3");
    expect(calls).toBe(3);
  });
});
