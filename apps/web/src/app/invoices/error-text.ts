import { TRPCClientError } from "@trpc/client";
import type { AppRouter } from "../../server/root";

/** A refusal as one readable line: the first field error of bad input, otherwise the server's message. */
export function errorText(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const fields = (error as TRPCClientError<AppRouter>).data?.zodError?.fieldErrors as
      | Record<string, string[] | undefined>
      | undefined;
    const first = fields && Object.values(fields).find((m) => m?.length)?.[0];
    return first ?? error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
