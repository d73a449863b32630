import { describe, expect, test } from "vitest";

import type { TestDatabase } from "./support/database.js";
import { ORG, useHarness } from "./support/harness.js";

/**
 * Every version that breaks the chain of its ticket: versions numbered 1, 2, ... without a gap,
 * each valid_to equal to the next valid_from, only the last version open, and no interval that
 * ends before it starts. An empty result means every ticket's history chains.
 */
const BROKEN_CHAIN_SQL = `
  SELECT org_id, id, version, valid_from, valid_to, next_valid_from
  FROM (
    SELECT v.org_id, v.id, v.version, v.valid_from, v.valid_to,
           lead(v.valid_from) OVER w AS next_valid_from,
           row_number() OVER w AS position
    FROM servicebay.ticket_versions v
    WINDOW w AS (PARTITION BY v.org_id, v.id ORDER BY v.version)
  ) chain
  WHERE version <> position
     OR (next_valid_from IS NULL AND valid_to IS NOT NULL)
     OR (next_valid_from IS NOT NULL AND valid_to IS DISTINCT FROM next_valid_from)
     OR valid_to < valid_from`;

/**
 * Every ticket whose current row disagrees with its history: not exactly one open version, or
 * an open version with another number, payload hash or deletion state than the current row.
 */
const INCONSISTENT_SQL = `
  SELECT t.org_id, t.id, t.version, count(v.version) AS open_versions
  FROM servicebay.tickets t
  LEFT JOIN servicebay.ticket_versions v
    ON v.org_id = t.org_id AND v.id = t.id AND v.valid_to IS NULL
  GROUP BY t.org_id, t.id, t.version, t.payload_hash, t.deleted_at
  HAVING count(v.version) <> 1
      OR bool_or(v.version <> t.version)
      OR bool_or(v.payload_hash <> t.payload_hash)
      OR bool_or(v.is_deleted <> (t.deleted_at IS NOT NULL))`;

async function versionCount(db: TestDatabase): Promise<number> {
  const [row] = await db.query<{ count: number }>("SELECT count(*)::int AS count FROM servicebay.ticket_versions");
  return row?.count ?? -1;
}

async function versionsOf(db: TestDatabase, id: string) {
  return db.query<{ version: number; valid_from: Date; valid_to: Date | null; is_deleted: boolean; payload_hash: string; sync_run_id: string; status: string | null }>(
    "SELECT version, valid_from, valid_to, is_deleted, payload_hash, sync_run_id, status FROM servicebay.ticket_versions WHERE org_id = $1 AND id = $2 ORDER BY version",
    [ORG, id],
  );
}

async function currentOf(db: TestDatabase, id: string) {
  const [row] = await db.query<{ version: number; deleted_at: Date | null; last_changed_at: Date }>(
    "SELECT version, deleted_at, last_changed_at FROM servicebay.tickets WHERE org_id = $1 AND id = $2",
    [ORG, id],
  );
  return row;
}

describe("history of a synced organisation", () => {
  const h = useHarness({ tickets: 240 });
  let ids: string[] = [];

  test("first sync writes version 1 for every ticket", async () => {
    const result = await h.sync();
    ids = [...h.sim.store.ids(ORG)];

    expect(result.outcome).toBe("succeeded");
    const [row] = await h.db.query<{ tickets: number; versions: number; first: number; open: number; run_ids: number }>(
      `SELECT (SELECT count(*)::int FROM servicebay.tickets) AS tickets,
              count(*)::int AS versions,
              count(*) FILTER (WHERE version = 1)::int AS first,
              count(*) FILTER (WHERE valid_to IS NULL AND NOT is_deleted)::int AS open,
              count(DISTINCT sync_run_id)::int AS run_ids
       FROM servicebay.ticket_versions`,
    );
    expect(row?.tickets).toBe(240);
    expect(row?.versions).toBe(240);
    expect(row?.first).toBe(240);
    expect(row?.open).toBe(240);
    expect(row?.run_ids).toBe(1);
  });

  test("unchanged sync writes no version", async () => {
    const result = await h.sync();

    expect(result.outcome).toBe("succeeded");
    expect(result.counters?.unchanged).toBe(240);
    expect(await versionCount(h.db)).toBe(240);
  });

  test("same payload in another key order writes no version", async () => {
    const id = ids[0] ?? "";
    const payload = h.sim.store.get(ORG, id) ?? {};
    const reversed = Object.fromEntries(Object.entries(payload).reverse());
    h.sim.store.putRaw(ORG, id, reversed);

    const result = await h.sync();

    expect(result.counters?.updated).toBe(0);
    expect(await versionCount(h.db)).toBe(240);
  });

  test("changed payload writes the next version", async () => {
    const changed = [ids[1] ?? "", ids[150] ?? ""];
    for (const id of changed) h.sim.store.update(ORG, id, { status: "Awaiting Parts", serviceNotes: "part ordered" });

    const result = await h.sync();

    expect(result.counters?.updated).toBe(2);
    expect(await versionCount(h.db)).toBe(242);
    for (const id of changed) {
      const versions = await versionsOf(h.db, id);
      expect(versions.map((version) => version.version)).toEqual([1, 2]);
      expect(versions[1]?.status).toBe("Awaiting Parts");
      expect(versions[0]?.payload_hash).not.toBe(versions[1]?.payload_hash);
      expect(versions[0]?.valid_to?.getTime()).toBe(versions[1]?.valid_from.getTime());
      expect(Number(versions[1]?.sync_run_id)).toBe(result.runId);
      expect((await currentOf(h.db, id))?.version).toBe(2);
    }
  });

  test("deletion writes a tombstone", async () => {
    const id = ids[1] ?? "";
    h.sim.store.remove(ORG, id);

    const result = await h.sync();

    expect(result.counters?.deleted).toBe(1);
    const versions = await versionsOf(h.db, id);
    const current = await currentOf(h.db, id);
    expect(versions.map((version) => version.version)).toEqual([1, 2, 3]);
    expect(versions[2]?.is_deleted).toBe(true);
    expect(versions[2]?.payload_hash).toBe(versions[1]?.payload_hash);
    expect(versions[2]?.status).toBe("Awaiting Parts");
    expect(versions[2]?.valid_from.getTime()).toBe(current?.deleted_at?.getTime());
    expect(versions[1]?.valid_to?.getTime()).toBe(versions[2]?.valid_from.getTime());
    expect(current?.version).toBe(3);
  });

  test("next sync writes no second tombstone", async () => {
    const result = await h.sync();

    expect(result.counters?.deleted).toBe(0);
    expect((await versionsOf(h.db, ids[1] ?? "")).length).toBe(3);
  });

  test("reappearance writes a new version", async () => {
    const id = ids[1] ?? "";
    const before = await versionsOf(h.db, id);
    h.sim.store.putRaw(ORG, id, { ...(h.sim.store.get(ORG, ids[150] ?? "") ?? {}), id, ticketId: 999_999 });

    const result = await h.sync();

    expect(result.counters?.undeleted).toBe(1);
    const versions = await versionsOf(h.db, id);
    expect(versions.map((version) => version.version)).toEqual([1, 2, 3, 4]);
    expect(versions[3]?.is_deleted).toBe(false);
    expect(versions[3]?.valid_to).toBeNull();
    expect(versions[2]?.valid_to?.getTime()).toBe(versions[3]?.valid_from.getTime());
    expect(before[2]?.valid_to).toBeNull();
    expect((await currentOf(h.db, id))?.deleted_at).toBeNull();
  });

  test("reappearance with the same payload writes a new version", async () => {
    const id = ids[2] ?? "";
    const payload = h.sim.store.get(ORG, id) ?? {};
    h.sim.store.remove(ORG, id);
    expect((await h.sync()).counters?.deleted).toBe(1);
    h.sim.store.putRaw(ORG, id, payload);

    const result = await h.sync();

    const versions = await versionsOf(h.db, id);
    expect(result.counters?.undeleted).toBe(1);
    expect(versions.map((version) => [version.version, version.is_deleted])).toEqual([[1, false], [2, true], [3, false]]);
    expect(new Set(versions.map((version) => version.payload_hash)).size).toBe(1);
  });

  test("every ticket's versions chain without gaps or overlaps", async () => {
    expect(await h.db.query(BROKEN_CHAIN_SQL)).toEqual([]);
  });

  test("every ticket has one open version matching it", async () => {
    expect(await h.db.query(INCONSISTENT_SQL)).toEqual([]);
  });
});

describe("history after a crash between pages", () => {
  const h = useHarness({ tickets: 450 });
  let ids: string[] = [];
  /** One changed ticket on each of the five pages of 100. */
  let changed: string[] = [];

  test("baseline sync succeeds", async () => {
    expect((await h.sync()).outcome).toBe("succeeded");
    ids = [...h.sim.store.ids(ORG)];
    changed = [0, 1, 2, 3, 4].map((page) => ids[page * 100 + 5] ?? "");
    for (const id of changed) h.sim.store.update(ORG, id, { serviceNotes: "changed before the crash" });
  });

  test("failure inside page 3 rolls the page back", async () => {
    await h.db.query(`
      CREATE FUNCTION public.fail_on_page_3() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.page = 3 THEN RAISE EXCEPTION 'injected failure on page 3'; END IF;
        RETURN NEW;
      END $$`);
    await h.db.query("CREATE TRIGGER fail_on_page_3 BEFORE INSERT ON servicebay.sync_run_pages FOR EACH ROW EXECUTE FUNCTION public.fail_on_page_3()");

    const result = await h.sync();
    await h.db.query("DROP TRIGGER fail_on_page_3 ON servicebay.sync_run_pages");

    expect(result.outcome).toBe("failed");
    expect(result.error).toContain("injected failure on page 3");
    const versions = await Promise.all(changed.map(async (id) => (await currentOf(h.db, id))?.version));
    expect(versions).toEqual([2, 2, 1, 1, 1]);
    expect(await h.db.query(INCONSISTENT_SQL)).toEqual([]);
    expect(await h.db.query(BROKEN_CHAIN_SQL)).toEqual([]);
  });

  test("resumed run completes the history once", async () => {
    const result = await h.sync();

    expect(result.outcome).toBe("succeeded");
    expect(result.resumed).toBe(true);
    for (const id of changed) {
      expect((await versionsOf(h.db, id)).map((version) => version.version)).toEqual([1, 2]);
    }
    expect(await versionCount(h.db)).toBe(455);
    expect(await h.db.query(INCONSISTENT_SQL)).toEqual([]);
    expect(await h.db.query(BROKEN_CHAIN_SQL)).toEqual([]);
  });

  test("abort after page 2 keeps history consistent", async () => {
    for (const id of changed) h.sim.store.update(ORG, id, { serviceNotes: "changed before the abort" });
    const controller = new AbortController();

    const result = await h.sync({ signal: controller.signal, onPage: ({ page }) => page === 2 && controller.abort() });

    expect(result.outcome).toBe("interrupted");
    const versions = await Promise.all(changed.map(async (id) => (await currentOf(h.db, id))?.version));
    expect(versions).toEqual([3, 3, 2, 2, 2]);
    expect(await h.db.query(INCONSISTENT_SQL)).toEqual([]);
    expect(await h.db.query(BROKEN_CHAIN_SQL)).toEqual([]);
  });

  test("resume after the abort writes the rest", async () => {
    const result = await h.sync();

    expect(result.outcome).toBe("succeeded");
    const versions = await Promise.all(changed.map(async (id) => (await currentOf(h.db, id))?.version));
    expect(versions).toEqual([3, 3, 3, 3, 3]);
    expect(await versionCount(h.db)).toBe(460);
    expect(await h.db.query(INCONSISTENT_SQL)).toEqual([]);
    expect(await h.db.query(BROKEN_CHAIN_SQL)).toEqual([]);
  });
});
