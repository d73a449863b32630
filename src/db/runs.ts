import type pg from "pg";

import type { RunStatus } from "./schema.js";

/** The counters of a sync run, as stored in `servicebay.sync_runs`. */
export interface RunCounters {
  pages: number;
  ticketsSeen: number;
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  undeleted: number;
  requests: number;
  retries: number;
  rateLimited: number;
  skipped: number;
  repairedStrings: number;
  unparseableDates: number;
  coercedValues: number;
  invalidValues: number;
  duplicates: number;
}

export function emptyRunCounters(): RunCounters {
  return {
    pages: 0, ticketsSeen: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 0, undeleted: 0,
    requests: 0, retries: 0, rateLimited: 0, skipped: 0, repairedStrings: 0, unparseableDates: 0,
    coercedValues: 0, invalidValues: 0, duplicates: 0,
  };
}

/** Maps each counter to its column in `servicebay.sync_runs`. */
export const COUNTER_COLUMNS: Record<keyof RunCounters, string> = {
  pages: "pages",
  ticketsSeen: "tickets_seen",
  inserted: "inserted",
  updated: "updated",
  unchanged: "unchanged",
  deleted: "deleted",
  undeleted: "undeleted",
  requests: "requests",
  retries: "retries",
  rateLimited: "rate_limited",
  skipped: "skipped",
  repairedStrings: "repaired_strings",
  unparseableDates: "unparseable_dates",
  coercedValues: "coerced_values",
  invalidValues: "invalid_values",
  duplicates: "duplicates",
};
/** The counters in a fixed order, the order in which counter arrays are passed to SQL. */
export const COUNTER_KEYS = Object.keys(COUNTER_COLUMNS) as (keyof RunCounters)[];

export interface SyncRunRow {
  id: number;
  orgId: string;
  startedAt: Date;
  finishedAt: Date | null;
  /** When the run last committed a page or changed status; a killed run stops refreshing it. */
  heartbeatAt: Date;
  status: RunStatus;
  resumeCount: number;
  cursor: string | null;
  scanComplete: boolean;
  deletionCheck: string | null;
  allowMassDelete: boolean;
  error: string | null;
  counters: RunCounters;
}

const RUN_SELECT = `SELECT id::int AS id, org_id, started_at, finished_at, heartbeat_at, status, resume_count, cursor, scan_complete,
  deletion_check, allow_mass_delete, error, ${COUNTER_KEYS.map((key) => COUNTER_COLUMNS[key]).join(", ")}
  FROM servicebay.sync_runs`;

function toRunRow(row: Record<string, unknown>): SyncRunRow {
  const counters = emptyRunCounters();
  for (const key of COUNTER_KEYS) counters[key] = Number(row[COUNTER_COLUMNS[key]]);
  return {
    id: Number(row.id),
    orgId: String(row.org_id),
    startedAt: row.started_at as Date,
    finishedAt: (row.finished_at as Date | null) ?? null,
    heartbeatAt: row.heartbeat_at as Date,
    status: row.status as RunStatus,
    resumeCount: Number(row.resume_count),
    cursor: (row.cursor as string | null) ?? null,
    scanComplete: row.scan_complete === true,
    deletionCheck: (row.deletion_check as string | null) ?? null,
    allowMassDelete: row.allow_mass_delete === true,
    error: (row.error as string | null) ?? null,
    counters,
  };
}

export async function createRun(client: pg.ClientBase, orgId: string, allowMassDelete: boolean): Promise<SyncRunRow> {
  const result = await client.query(
    `WITH created AS (
       INSERT INTO servicebay.sync_runs (org_id, allow_mass_delete) VALUES ($1, $2) RETURNING id
     )
     SELECT id::int AS id FROM created`,
    [orgId, allowMassDelete],
  );
  const run = await getRun(client, Number(result.rows[0]?.id));
  if (!run) throw new Error("The new sync run could not be read back");
  return run;
}

export async function getRun(client: pg.ClientBase, runId: number): Promise<SyncRunRow | undefined> {
  const result = await client.query(`${RUN_SELECT} WHERE id = $1`, [runId]);
  return result.rows[0] ? toRunRow(result.rows[0]) : undefined;
}

/** Returns the organisation's most recent run, finished or not. */
export async function getLatestRun(client: pg.ClientBase, orgId: string): Promise<SyncRunRow | undefined> {
  const result = await client.query(`${RUN_SELECT} WHERE org_id = $1 ORDER BY id DESC LIMIT 1`, [orgId]);
  return result.rows[0] ? toRunRow(result.rows[0]) : undefined;
}

/** Marks a run as continued by a new process: `running` again, with one more resume. */
export async function markRunResumed(client: pg.ClientBase, runId: number, allowMassDelete: boolean): Promise<void> {
  await client.query(
    `UPDATE servicebay.sync_runs
     SET status = 'running', resume_count = resume_count + 1, finished_at = NULL, error = NULL,
         heartbeat_at = now(), allow_mass_delete = allow_mass_delete OR $2
     WHERE id = $1`,
    [runId, allowMassDelete],
  );
}

/** Checkpoint that `commitTicketPage` writes with a page: the run's position after it. */
export interface PageCheckpoint {
  page: number;
  cursorBefore: string | null;
  cursorAfter: string | null;
  scanComplete: boolean;
  /**
   * The run's counters with this page counted, except `inserted`, `updated`, `unchanged` and
   * `undeleted`: the page statement adds its own write counts to those.
   */
  counters: RunCounters;
}

/** Writes the counters, and the given fields, of a run. */
export async function updateRun(
  client: pg.ClientBase,
  runId: number,
  fields: { cursor?: string | null; scanComplete?: boolean; deletionCheck?: string | null },
  counters: RunCounters,
): Promise<void> {
  const assignments = ["heartbeat_at = now()"];
  const values: unknown[] = [runId];
  const set = (column: string, value: unknown) => {
    values.push(value);
    assignments.push(`${column} = $${values.length}`);
  };

  for (const key of COUNTER_KEYS) set(COUNTER_COLUMNS[key], counters[key]);
  if (fields.cursor !== undefined) set("cursor", fields.cursor);
  if (fields.scanComplete !== undefined) set("scan_complete", fields.scanComplete);
  if (fields.deletionCheck !== undefined) set("deletion_check", fields.deletionCheck);

  await client.query(`UPDATE servicebay.sync_runs SET ${assignments.join(", ")} WHERE id = $1`, values);
}

/**
 * Ends a run with its final status. A finished run no longer needs its page list, so the list
 * is removed. A failed or interrupted run keeps it, because the next sync resumes from it.
 */
export async function finishRun(
  client: pg.ClientBase,
  runId: number,
  status: Exclude<RunStatus, "running">,
  error: string | null,
): Promise<void> {
  await client.query(
    `UPDATE servicebay.sync_runs SET status = $2, error = $3, finished_at = now(), heartbeat_at = now() WHERE id = $1`,
    [runId, status, error],
  );
  if (status !== "failed" && status !== "interrupted") {
    await client.query(`DELETE FROM servicebay.sync_run_pages WHERE run_id = $1`, [runId]);
  }
}
