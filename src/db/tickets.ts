import type pg from "pg";

import type { ParsedTicket } from "../servicebay/types.js";
import { COUNTER_COLUMNS, COUNTER_KEYS, type PageCheckpoint } from "./runs.js";
import { CONTENT_COLUMN_NAMES, TYPED_COLUMN_NAMES, columnValuesSelect, toColumnValues } from "./ticket-columns.js";

export interface PageWriteCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  undeleted: number;
}

const contentList = CONTENT_COLUMN_NAMES.join(", ");
const contentFromChanged = CONTENT_COLUMN_NAMES.map((name) => `c.${name}`).join(", ");
const contentUpdate = CONTENT_COLUMN_NAMES.map((name) => `${name} = excluded.${name}`).join(", ");
/** The run counters that the page statement computes itself. */
const WRITE_COUNT_KEYS: readonly (keyof PageWriteCounts)[] = ["inserted", "updated", "unchanged", "undeleted"];

/**
 * Returns the assignments that set each counter column of a run from the array parameter
 * `parameter`, in COUNTER_KEYS order. With `written`, the write counts also add that row's
 * columns of the same names: what the statement itself wrote.
 */
function counterAssignments(parameter: string, written?: string): string {
  return COUNTER_KEYS.map((key, index) => {
    const stored = `(${parameter}::int[])[${index + 1}]`;
    const column = COUNTER_COLUMNS[key];
    if (written && WRITE_COUNT_KEYS.includes(key as keyof PageWriteCounts)) return `${column} = ${stored} + ${written}.${key}`;
    return `${column} = ${stored}`;
  }).join(",\n    ");
}

/**
 * Finds which tickets of a page differ from the stored ones: new, changed (another payload
 * hash) or deleted and back. When none differs, the same statement commits the page: its ID
 * list and the run's checkpoint. It reads only IDs and hashes, so a page of unchanged tickets
 * costs PostgreSQL one index probe per ticket, no JSON parsing and one round trip.
 */
const COMMIT_UNCHANGED_PAGE_SQL = `
WITH differing AS (
  SELECT (i.position - 1)::int AS position
  FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS i(id, payload_hash, position)
  LEFT JOIN LATERAL (
    SELECT t.payload_hash, t.deleted_at
    FROM servicebay.tickets t
    WHERE t.org_id = $1 AND t.id = i.id
    OFFSET 0
  ) e ON true
  WHERE e.payload_hash IS NULL OR e.payload_hash <> i.payload_hash OR e.deleted_at IS NOT NULL
),
listed_ids AS (
  INSERT INTO servicebay.sync_run_pages (run_id, page, cursor_before, cursor_after, ticket_ids)
  SELECT $2::bigint, $5::int, $6::text, $7::text, $3::text[]
  WHERE NOT EXISTS (SELECT 1 FROM differing)
  RETURNING 1
),
checkpoint AS (
  UPDATE servicebay.sync_runs r
  SET heartbeat_at = now(),
    cursor = $7::text,
    scan_complete = $9::boolean,
    ${counterAssignments("$8")}
  WHERE r.id = $2::bigint AND NOT EXISTS (SELECT 1 FROM differing)
  RETURNING 1
)
SELECT position FROM differing ORDER BY position`;

/**
 * One statement commits a whole page. It receives the tickets that may need writing, compares
 * each payload hash with the stored one and upserts only new, changed or deleted-and-back
 * tickets. For those it closes the current version and appends the next one. It also records
 * all of the page's ticket IDs and moves the run's checkpoint. Every CTE sees the snapshot from
 * before the statement, so the lookups see the old state. The checkpoint always finds its run,
 * because the foreign key of `sync_run_pages` fails the statement for a page of a missing run.
 *
 * Each lookup is a LATERAL subquery on a full key, kept apart by OFFSET 0, so PostgreSQL probes
 * an index once per ticket. As a plain join, a table without statistics made the planner scan
 * the whole organisation through another `(org_id, ...)` index for every page, which made a
 * first sync quadratic in the number of tickets.
 */
const COMMIT_PAGE_SQL = `
WITH incoming AS (
  SELECT
    ${columnValuesSelect("e.ticket")}
  FROM jsonb_array_elements($3::jsonb) AS e(ticket)
),
changed AS (
  SELECT i.*,
         e.version IS NULL AS is_new,
         e.deleted_at IS NOT NULL AS was_deleted,
         COALESCE(e.version, 0) + 1 AS next_version
  FROM incoming i
  LEFT JOIN LATERAL (
    SELECT t.payload_hash, t.deleted_at, t.version
    FROM servicebay.tickets t
    WHERE t.org_id = $1 AND t.id = i.id
    OFFSET 0
  ) e ON true
  WHERE e.version IS NULL OR e.payload_hash <> i.payload_hash OR e.deleted_at IS NOT NULL
),
upserted AS (
  INSERT INTO servicebay.tickets AS t
    (org_id, id, ${contentList}, version, first_seen_at, last_changed_at, deleted_at, last_sync_run_id)
  SELECT $1, c.id, ${contentFromChanged}, c.next_version, now(), now(), NULL, $2::bigint
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
  WHERE v.ctid = ANY (ARRAY(
    SELECT open_version.ctid
    FROM changed c
    CROSS JOIN LATERAL (
      SELECT cv.ctid
      FROM servicebay.ticket_versions cv
      WHERE cv.org_id = $1 AND cv.id = c.id AND cv.valid_to IS NULL
      OFFSET 0
    ) open_version
    WHERE NOT c.is_new
  ))
  RETURNING 1
),
new_versions AS (
  INSERT INTO servicebay.ticket_versions
    (org_id, id, ${contentList}, version, valid_from, valid_to, is_deleted, sync_run_id)
  SELECT $1, c.id, ${contentFromChanged}, c.next_version, now(), NULL, false, $2::bigint
  FROM changed c
  RETURNING 1
),
written AS (
  SELECT
    count(*) FILTER (WHERE is_new)::int AS inserted,
    count(*) FILTER (WHERE NOT is_new AND NOT was_deleted)::int AS updated,
    count(*) FILTER (WHERE was_deleted)::int AS undeleted,
    (cardinality($4::text[]) - count(*))::int AS unchanged
  FROM changed
),
listed_ids AS (
  INSERT INTO servicebay.sync_run_pages (run_id, page, cursor_before, cursor_after, ticket_ids)
  VALUES ($2::bigint, $5::int, $6::text, $7::text, $4::text[])
  RETURNING 1
),
checkpoint AS (
  UPDATE servicebay.sync_runs r
  SET heartbeat_at = now(),
    cursor = $7::text,
    scan_complete = $8::boolean,
    ${counterAssignments("$9", "w")}
  FROM written w
  WHERE r.id = $2::bigint
  RETURNING 1
)
SELECT inserted, updated, undeleted, unchanged FROM written`;

/** A ticket with its payload hash (see payload-hash.ts). */
export interface HashedTicket {
  ticket: ParsedTicket;
  payloadHash: string;
}

export interface UnchangedPageWrite {
  orgId: string;
  runId: number;
  /** The page's tickets with distinct IDs. */
  tickets: HashedTicket[];
  /** The checkpoint to commit if no ticket differs, with every ticket counted as unchanged. */
  checkpoint: PageCheckpoint;
}

/**
 * Returns the zero-based positions of the tickets that are new, changed or deleted and back,
 * in page order. When it returns none, it has committed the page: the ID list and the given
 * checkpoint, in one transaction. Otherwise it wrote nothing.
 */
export async function commitUnchangedPage(client: pg.ClientBase, write: UnchangedPageWrite): Promise<number[]> {
  const { checkpoint } = write;
  const result = await client.query<{ position: number }>({
    name: "servicebay_commit_unchanged_page",
    text: COMMIT_UNCHANGED_PAGE_SQL,
    values: [
      write.orgId, write.runId, write.tickets.map((hashed) => hashed.ticket.id), write.tickets.map((hashed) => hashed.payloadHash),
      checkpoint.page, checkpoint.cursorBefore, checkpoint.cursorAfter, COUNTER_KEYS.map((key) => checkpoint.counters[key]), checkpoint.scanComplete,
    ],
  });
  return result.rows.map((row) => row.position);
}

export interface TicketPageWrite {
  orgId: string;
  runId: number;
  /** Every distinct ticket ID of the page, for deletion detection and the unchanged count. */
  ids: string[];
  /**
   * The tickets to write, a subset of `ids`: at least every new, changed or deleted-and-back
   * one. The statement skips those whose stored hash is equal, so sending more is safe.
   */
  tickets: HashedTicket[];
  checkpoint: PageCheckpoint;
}

/**
 * Commits one page in one statement, so in one transaction and one round trip: the tickets,
 * their versions, the page's ID list and the run's checkpoint. A failure leaves none of it.
 * Returns what the page wrote, which the stored counters already include.
 *
 * The statement is prepared once per connection (a named query), which spares PostgreSQL
 * parsing and planning it for every page.
 */
export async function commitTicketPage(client: pg.ClientBase, write: TicketPageWrite): Promise<PageWriteCounts> {
  const { checkpoint } = write;
  const records = JSON.stringify(write.tickets.map((hashed) => toColumnValues(hashed.ticket, hashed.payloadHash)));
  const counters = COUNTER_KEYS.map((key) => checkpoint.counters[key]);

  const result = await client.query<PageWriteCounts>({
    name: "servicebay_commit_ticket_page",
    text: COMMIT_PAGE_SQL,
    values: [write.orgId, write.runId, records, write.ids, checkpoint.page, checkpoint.cursorBefore, checkpoint.cursorAfter, checkpoint.scanComplete, counters],
  });
  const row = result.rows[0];
  if (!row) throw new Error("The page statement returned no counts row");
  return row;
}

export interface DeletionLimit {
  /** Number of unlisted tickets that is always deleted, whatever the fraction. */
  minTickets: number;
  /** Largest fraction of the live tickets deleted without review. Above both limits, none is deleted. */
  maxFraction: number;
  /** Whether to delete every unlisted ticket, whatever the limits. */
  allowMassDelete: boolean;
}

export interface DeletionResult {
  /** Tickets not deleted before this run. */
  live: number;
  /** Live tickets that no page of the run listed. */
  unlisted: number;
  /** Whether the deletions were applied: false when the unlisted tickets were over the limit. */
  applied: boolean;
  deleted: number;
}

const typedColumnList = TYPED_COLUMN_NAMES.join(", ");
const typedFromGone = TYPED_COLUMN_NAMES.map((name) => `g.${name}`).join(", ");

/**
 * Soft-deletes every live ticket of the organisation that no page of the run listed, and writes
 * a tombstone version for each, in one statement. The statement counts them first and deletes
 * nothing when they are more than the limit allows (the mass-delete guard). Call it only after
 * a complete scan.
 *
 * `seen` repeats an ID that several pages listed, which the anti-join does not mind. Right after
 * a first sync the tables have no statistics yet, so run it with `enable_nestloop` off: the
 * planner otherwise picks nested loops that are quadratic in the number of tickets. Run it with
 * `jit` off too: the cost penalty of a nested loop it cannot avoid made PostgreSQL spend about
 * half a second compiling the statement for 100,000 tickets.
 */
export async function softDeleteUnlistedTickets(client: pg.ClientBase, orgId: string, runId: number, limit: DeletionLimit): Promise<DeletionResult> {
  const result = await client.query<DeletionResult>(
    `WITH seen AS (
       SELECT unnest(p.ticket_ids) COLLATE "C" AS id FROM servicebay.sync_run_pages p WHERE p.run_id = $2
     ),
     unlisted AS (
       SELECT t.id FROM servicebay.tickets t
       WHERE t.org_id = $1 AND t.deleted_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM seen s WHERE s.id = t.id)
     ),
     counts AS (
       SELECT live.count::int AS live, (SELECT count(*) FROM unlisted)::int AS unlisted
       FROM (SELECT count(*) FROM servicebay.tickets t WHERE t.org_id = $1 AND t.deleted_at IS NULL) live
     ),
     decision AS (
       SELECT c.live, c.unlisted, (c.unlisted <= GREATEST($3::float8, $4::float8 * c.live) OR $5::boolean) AS applied
       FROM counts c
     ),
     gone AS (
       UPDATE servicebay.tickets t
       SET deleted_at = now(), last_changed_at = now(), version = t.version + 1, last_sync_run_id = $2
       WHERE (SELECT d.applied FROM decision d) AND t.org_id = $1 AND t.id IN (SELECT u.id FROM unlisted u)
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
     SELECT d.live, d.unlisted, d.applied, (SELECT count(*) FROM gone)::int AS deleted FROM decision d`,
    [orgId, runId, limit.minTickets, limit.maxFraction, limit.allowMassDelete],
  );
  const row = result.rows[0];
  if (!row) throw new Error("The deletion statement returned no counts row");
  return row;
}
