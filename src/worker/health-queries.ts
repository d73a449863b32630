// Read-only queries on `servicebay.sync_runs` for `status`, `/healthz` and the progress line.
import type pg from "pg";

import type { RunStatus } from "../db/schema.js";

export interface LastSuccessfulRun {
  runId: number;
  finishedAt: Date;
  ticketsSeen: number;
}

/** Returns the organisation's most recent successful run, or null when none succeeded yet. */
export async function readLastSuccessfulRun(db: pg.Pool | pg.ClientBase, orgId: string): Promise<LastSuccessfulRun | null> {
  const result = await db.query<{ id: number; finished_at: Date; tickets_seen: number }>(
    `SELECT id::int AS id, finished_at, tickets_seen
     FROM servicebay.sync_runs
     WHERE org_id = $1 AND status = 'succeeded' AND finished_at IS NOT NULL
     ORDER BY id DESC
     LIMIT 1`,
    [orgId],
  );
  const row = result.rows[0];
  return row ? { runId: row.id, finishedAt: row.finished_at, ticketsSeen: row.tickets_seen } : null;
}

export interface RecentRun {
  id: number;
  orgId: string;
  status: RunStatus;
  startedAt: Date;
  finishedAt: Date | null;
  heartbeatAt: Date;
  resumeCount: number;
  pages: number;
  ticketsSeen: number;
  inserted: number;
  updated: number;
  deleted: number;
  undeleted: number;
  unchanged: number;
  requests: number;
  retries: number;
  rateLimited: number;
  skipped: number;
  /** "applied", "needs_review", or why deletion detection was skipped; null before the scan ended. */
  deletionCheck: string | null;
  error: string | null;
}

export interface OrganisationRuns {
  orgId: string;
  /** Newest first. */
  runs: RecentRun[];
  /** When the organisation's last successful run finished, or null when none did. */
  lastSuccessAt: Date | null;
}

/**
 * Reads the last `limit` runs of each organisation (or of `orgId` only), with each
 * organisation's last success, ordered by organisation ID. The database clock is returned too,
 * so ages are computed against the same clock that wrote the timestamps.
 */
export async function readRecentRuns(
  db: pg.Pool | pg.ClientBase,
  options: { orgId?: string | undefined; limit: number },
): Promise<{ now: Date; organisations: OrganisationRuns[] }> {
  const orgId = options.orgId ?? null;
  const runs = await db.query<Record<string, unknown>>(
    `SELECT * FROM (
       SELECT id::int AS id, org_id, status, started_at, finished_at, heartbeat_at, resume_count, pages, tickets_seen,
              inserted, updated, deleted, undeleted, unchanged, requests, retries, rate_limited, skipped, deletion_check, error,
              row_number() OVER (PARTITION BY org_id ORDER BY id DESC) AS position
       FROM servicebay.sync_runs
       WHERE $1::text IS NULL OR org_id = $1
     ) AS ranked
     WHERE position <= $2
     ORDER BY org_id, id DESC`,
    [orgId, options.limit],
  );
  const successes = await db.query<{ org_id: string; finished_at: Date }>(
    `SELECT org_id, max(finished_at) AS finished_at
     FROM servicebay.sync_runs
     WHERE status = 'succeeded' AND ($1::text IS NULL OR org_id = $1)
     GROUP BY org_id`,
    [orgId],
  );
  const clock = await db.query<{ now: Date }>("SELECT now() AS now");

  const byOrg = new Map<string, OrganisationRuns>();
  for (const row of runs.rows) {
    const run = toRecentRun(row);
    const entry = byOrg.get(run.orgId) ?? { orgId: run.orgId, runs: [], lastSuccessAt: null };
    entry.runs.push(run);
    byOrg.set(run.orgId, entry);
  }
  for (const row of successes.rows) {
    const entry = byOrg.get(row.org_id);
    if (entry) entry.lastSuccessAt = row.finished_at;
  }
  return { now: clock.rows[0]!.now, organisations: [...byOrg.values()] };
}

function toRecentRun(row: Record<string, unknown>): RecentRun {
  return {
    id: Number(row.id),
    orgId: String(row.org_id),
    status: row.status as RunStatus,
    startedAt: row.started_at as Date,
    finishedAt: (row.finished_at as Date | null) ?? null,
    heartbeatAt: row.heartbeat_at as Date,
    resumeCount: Number(row.resume_count),
    pages: Number(row.pages),
    ticketsSeen: Number(row.tickets_seen),
    inserted: Number(row.inserted),
    updated: Number(row.updated),
    deleted: Number(row.deleted),
    undeleted: Number(row.undeleted),
    unchanged: Number(row.unchanged),
    requests: Number(row.requests),
    retries: Number(row.retries),
    rateLimited: Number(row.rate_limited),
    skipped: Number(row.skipped),
    deletionCheck: (row.deletion_check as string | null) ?? null,
    error: (row.error as string | null) ?? null,
  };
}
