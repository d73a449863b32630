import type pg from "pg";

/**
 * Versions that break the chain of their ticket: numbers 1, 2, ... without a gap, each
 * valid_to equal to the next valid_from, only the last version open, no interval that ends
 * before it starts.
 */
const BROKEN_CHAIN_SQL = `
  SELECT count(*)::int AS count
  FROM (
    SELECT v.version, v.valid_from, v.valid_to,
           lead(v.valid_from) OVER w AS next_valid_from,
           row_number() OVER w AS position
    FROM servicebay.ticket_versions v
    WHERE v.org_id = $1
    WINDOW w AS (PARTITION BY v.org_id, v.id ORDER BY v.version)
  ) chain
  WHERE version <> position
     OR (next_valid_from IS NULL AND valid_to IS NOT NULL)
     OR (next_valid_from IS NOT NULL AND valid_to IS DISTINCT FROM next_valid_from)
     OR valid_to < valid_from`;

/**
 * Tickets whose current row disagrees with their history: not exactly one open version, or an
 * open version with another number, payload hash or deletion state than the current row.
 */
const INCONSISTENT_SQL = `
  SELECT count(*)::int AS count FROM (
    SELECT t.id
    FROM servicebay.tickets t
    LEFT JOIN servicebay.ticket_versions v
      ON v.org_id = t.org_id AND v.id = t.id AND v.valid_to IS NULL
    WHERE t.org_id = $1
    GROUP BY t.org_id, t.id, t.version, t.payload_hash, t.deleted_at
    HAVING count(v.version) <> 1
        OR bool_or(v.version <> t.version)
        OR bool_or(v.payload_hash <> t.payload_hash)
        OR bool_or(v.is_deleted <> (t.deleted_at IS NOT NULL))
  ) broken`;

/** The result of comparing one organisation's mirror with what the API lists. */
export interface MirrorComparison {
  /** Tickets the API lists now. */
  expected: number;
  /** Live (not deleted) tickets in `servicebay.tickets`. */
  stored: number;
  /** Listed tickets that are not stored as live tickets. */
  missing: string[];
  /** Live stored tickets that the API does not list. */
  extra: string[];
  /**
   * Tickets marked deleted now, or by a tombstone at any time, although they were never removed
   * from the API.
   */
  falselyDeleted: string[];
  /** Tickets stored live whose `raw` differs from the listed payload. */
  stale: string[];
  /** Versions that break their ticket's chain of intervals. */
  brokenHistory: number;
  /** Tickets whose current row does not match exactly one open version. */
  inconsistentHistory: number;
}

/**
 * Compares the stored tickets of an organisation with the API's listing and checks the
 * history. `removedIds` are the IDs removed from the API at any time: only those may have
 * been deleted.
 */
export async function compareMirror(
  client: pg.Pool | pg.ClientBase,
  orgId: string,
  listed: ReadonlyMap<string, unknown>,
  removedIds: ReadonlySet<string>,
): Promise<MirrorComparison> {
  const rows = (
    await client.query<{ id: string; raw: unknown; deleted: boolean }>(
      "SELECT id, raw, deleted_at IS NOT NULL AS deleted FROM servicebay.tickets WHERE org_id = $1",
      [orgId],
    )
  ).rows;
  const tombstoned = (
    await client.query<{ id: string }>(
      "SELECT DISTINCT id FROM servicebay.ticket_versions WHERE org_id = $1 AND is_deleted",
      [orgId],
    )
  ).rows.map((row) => row.id);

  const live = new Map(rows.filter((row) => !row.deleted).map((row) => [row.id, row.raw]));
  const deleted = rows.filter((row) => row.deleted).map((row) => row.id);

  const missing = [...listed.keys()].filter((id) => !live.has(id));
  const extra = [...live.keys()].filter((id) => !listed.has(id));
  const stale = [...live.entries()]
    .filter(([id, raw]) => listed.has(id) && canonicalJson(raw) !== canonicalJson(listed.get(id)))
    .map(([id]) => id);
  const falselyDeleted = [...new Set([...deleted, ...tombstoned])].filter((id) => !removedIds.has(id));

  return {
    expected: listed.size,
    stored: live.size,
    missing,
    extra,
    falselyDeleted,
    stale,
    brokenHistory: await countRows(client, BROKEN_CHAIN_SQL, orgId),
    inconsistentHistory: await countRows(client, INCONSISTENT_SQL, orgId),
  };
}

async function countRows(client: pg.Pool | pg.ClientBase, sql: string, orgId: string): Promise<number> {
  const result = await client.query<{ count: number }>(sql, [orgId]);
  return result.rows[0]?.count ?? 0;
}

/** JSON with object keys sorted, so a payload compares equal to its jsonb round trip. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => compareStrings(a, b));
    return Object.fromEntries(entries.map(([key, entry]) => [key, sortKeys(entry)]));
  }
  return value;
}

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
