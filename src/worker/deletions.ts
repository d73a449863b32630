import type pg from "pg";

import type { RunCounters } from "../db/runs.js";
import { updateRun } from "../db/runs.js";
import { softDeleteUnlistedTickets } from "../db/tickets.js";
import type { Logger } from "../logger.js";

/** Below this many deletions the mass-delete guard never holds a run, whatever the fraction. */
export const MASS_DELETE_MIN_TICKETS = 10;

export type DeletionOutcome =
  | { kind: "applied"; deleted: number }
  | { kind: "skipped"; reason: string }
  | { kind: "needs_review"; unlisted: number; live: number; message: string };

export interface DeletionOptions {
  orgId: string;
  runId: number;
  maxDeleteFraction: number;
  allowMassDelete: boolean;
  counters: RunCounters;
  logger: Logger;
}

/**
 * Soft-deletes the tickets a complete scan did not list, unless the scan skipped records or
 * the number looks like a faulty scan rather than real deletions. Runs in one transaction with
 * the run's final counters.
 */
export async function detectDeletions(client: pg.ClientBase, options: DeletionOptions): Promise<DeletionOutcome> {
  const { counters, logger } = options;

  if (counters.skipped > 0) {
    const reason = `skipped: ${counters.skipped} listed ticket(s) had no usable id, so the scan is incomplete`;
    await updateRun(client, options.runId, { deletionCheck: reason }, counters);
    logger.warn({ orgId: options.orgId, runId: options.runId, skipped: counters.skipped }, "deletion detection skipped");
    return { kind: "skipped", reason };
  }

  await client.query("BEGIN");
  try {
    // See softDeleteUnlistedTickets for why nested loops and JIT compilation are turned off.
    await client.query("SET LOCAL enable_nestloop = off");
    await client.query("SET LOCAL jit = off");
    const result = await softDeleteUnlistedTickets(client, options.orgId, options.runId, {
      minTickets: MASS_DELETE_MIN_TICKETS,
      maxFraction: options.maxDeleteFraction,
      allowMassDelete: options.allowMassDelete,
    });

    if (!result.applied) {
      const message =
        `The scan would soft-delete ${result.unlisted} of ${result.live} live tickets, more than ` +
        `SYNC_MAX_DELETE_FRACTION=${options.maxDeleteFraction} allows; nothing was deleted. ` +
        `If the jobs were really deleted in Servicebay, run "servicebay-sync sync --allow-mass-delete".`;
      await updateRun(client, options.runId, { deletionCheck: "needs_review" }, counters);
      await client.query("COMMIT");
      return { kind: "needs_review", unlisted: result.unlisted, live: result.live, message };
    }

    counters.deleted += result.deleted;
    await updateRun(client, options.runId, { deletionCheck: "applied" }, counters);
    await client.query("COMMIT");
    return { kind: "applied", deleted: result.deleted };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
