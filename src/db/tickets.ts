import type pg from "pg";

import type { ParsedTicket } from "../servicebay/types.js";
import { CONTENT_COLUMN_NAMES, TYPED_COLUMNS, TYPED_COLUMN_NAMES, toColumnRecord } from "./ticket-columns.js";

export interface PageWriteCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  undeleted: number;
}

const recordDefinition = ["id text", ...TYPED_COLUMNS.map(([name, type]) => `${name} ${type}`), "raw jsonb"].join(", ");
const contentList = CONTENT_COLUMN_NAMES.join(", ");
const contentFromChanged = CONTENT_COLUMN_NAMES.map((name) => `c.${name}`).join(", ");
const contentUpdate = CONTENT_COLUMN_NAMES.map((name) => `${name} = excluded.${name}`).join(", ");

/**
 * One statement writes a whole page: it compares each ticket's payload hash with the stored one
 * inside PostgreSQL, upserts only new, changed or deleted-and-back tickets, closes their current
 * version and appends the next one. Unchanged tickets cost a read and no write. Every CTE sees
 * the snapshot from before the statement, so `existing` holds the old state.
 */
const UPSERT_PAGE_SQL = `
WITH incoming AS (
  SELECT x.*, md5(x.raw::text) AS payload_hash
  FROM jsonb_to_recordset($3::jsonb) AS x(${recordDefinition})
),
existing AS (
  SELECT t.id, t.payload_hash, t.deleted_at, t.version
  FROM servicebay.tickets t
  WHERE t.org_id = $1 AND t.id = ANY($4::text[])
),
changed AS (
  SELECT i.*,
         e.id IS NULL AS is_new,
         e.deleted_at IS NOT NULL AS was_deleted,
         COALESCE(e.version, 0) + 1 AS next_version
  FROM incoming i
  LEFT JOIN existing e ON e.id = i.id
  WHERE e.id IS NULL OR e.payload_hash <> i.payload_hash OR e.deleted_at IS NOT NULL
),
upserted AS (
  INSERT INTO servicebay.tickets AS t
    (org_id, id, ${contentList}, version, first_seen_at, last_changed_at, deleted_at, last_sync_run_id)
  SELECT $1, c.id, ${contentFromChanged}, c.next_version, now(), now(), NULL, $2
  FROM changed c
  ON CONFLICT (org_id, id) DO UPDATE SET
    ${contentUpdate},
    version = excluded.version,
    last_changed_at = excluded.last_changed_at,
    deleted_at = NULL,
    last_sync_run_id = excluded.last_sync_run_id
  RETURNING 1
),
closed_versions AS (
  UPDATE servicebay.ticket_versions v
  SET valid_to = now()
  FROM changed c
  WHERE v.org_id = $1 AND v.id = ANY($4::text[]) AND v.id = c.id AND v.valid_to IS NULL AND NOT c.is_new
  RETURNING 1
),
new_versions AS (
  INSERT INTO servicebay.ticket_versions
    (org_id, id, ${contentList}, version, valid_from, valid_to, is_deleted, sync_run_id)
  SELECT $1, c.id, ${contentFromChanged}, c.next_version, now(), NULL, false, $2
  FROM changed c
  RETURNING 1
)
SELECT
  count(*) FILTER (WHERE is_new)::int AS inserted,
  count(*) FILTER (WHERE NOT is_new AND NOT was_deleted)::int AS updated,
  count(*) FILTER (WHERE was_deleted)::int AS undeleted,
  ((SELECT count(*) FROM incoming) - count(*))::int AS unchanged
FROM changed`;

/**
 * Upserts one page of tickets and their history. The caller runs it inside the page's
 * transaction and passes tickets with distinct IDs.
 */
export async function upsertTicketPage(
  client: pg.ClientBase,
  orgId: string,
  runId: number,
  tickets: ParsedTicket[],
): Promise<PageWriteCounts> {
  if (tickets.length === 0) return { inserted: 0, updated: 0, unchanged: 0, undeleted: 0 };

  const records = JSON.stringify(tickets.map(toColumnRecord));
  // The IDs also go as an array, so the lookups of existing rows use the primary key and the
  // current-version index even before ANALYZE has seen the tables.
  const ids = tickets.map((ticket) => ticket.id);
  const result = await client.query<PageWriteCounts>(UPSERT_PAGE_SQL, [orgId, runId, records, ids]);
  const row = result.rows[0];
  if (!row) throw new Error("The page upsert returned no counts row");
  return row;
}

export interface DeletionCandidates {
  /** Tickets not deleted before this run. */
  live: number;
  /** Live tickets that no page of the run listed. */
  unlisted: number;
}

const SEEN_IDS_CTE = `seen AS (
  SELECT DISTINCT unnest(p.ticket_ids) COLLATE "C" AS id FROM servicebay.sync_run_pages p WHERE p.run_id = $2
)`;

/**
 * Counts what a soft delete would touch, so the mass-delete guard can decide first. A join,
 * not NOT EXISTS inside FILTER, because PostgreSQL runs the latter as a subplan per row.
 */
export async function countDeletionCandidates(client: pg.ClientBase, orgId: string, runId: number): Promise<DeletionCandidates> {
  const result = await client.query<DeletionCandidates>(
    `WITH ${SEEN_IDS_CTE}
     SELECT count(*)::int AS live, count(*) FILTER (WHERE s.id IS NULL)::int AS unlisted
     FROM servicebay.tickets t
     LEFT JOIN seen s ON s.id = t.id
     WHERE t.org_id = $1 AND t.deleted_at IS NULL`,
    [orgId, runId],
  );
  return result.rows[0] ?? { live: 0, unlisted: 0 };
}

const typedColumnList = TYPED_COLUMN_NAMES.join(", ");
const typedFromGone = TYPED_COLUMN_NAMES.map((name) => `g.${name}`).join(", ");

/**
 * Soft-deletes every live ticket of the organisation that no page of the run listed, and writes
 * a tombstone version for each, in one statement. Call it only after a complete scan.
 */
export async function softDeleteUnlistedTickets(client: pg.ClientBase, orgId: string, runId: number): Promise<number> {
  const result = await client.query<{ deleted: number }>(
    `WITH ${SEEN_IDS_CTE},
     gone AS (
       UPDATE servicebay.tickets t
       SET deleted_at = now(), last_changed_at = now(), version = t.version + 1, last_sync_run_id = $2
       WHERE t.org_id = $1 AND t.deleted_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM seen s WHERE s.id = t.id)
       RETURNING t.*
     ),
     closed_versions AS (
       UPDATE servicebay.ticket_versions v
       SET valid_to = now()
       FROM gone g
       WHERE v.org_id = $1 AND v.id = g.id AND v.valid_to IS NULL
       RETURNING 1
     ),
     tombstones AS (
       INSERT INTO servicebay.ticket_versions
         (org_id, id, ${typedColumnList}, raw, payload_hash, version, valid_from, valid_to, is_deleted, sync_run_id)
       SELECT $1, g.id, ${typedFromGone}, g.raw, g.payload_hash, g.version, now(), NULL, true, $2
       FROM gone g
       RETURNING 1
     )
     SELECT count(*)::int AS deleted FROM gone`,
    [orgId, runId],
  );
  return result.rows[0]?.deleted ?? 0;
}
