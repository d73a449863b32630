import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { FIXTURE_TICKETS, ORG_A, ORG_B, RUN_AT, insertAnalyticsFixture } from "./support/analytics-fixture.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";

const iso = (text: string) => new Date(text).toISOString();

/** Converts Date values of query rows to ISO strings, so rows compare with literals. */
function plain(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value])));
}

describe("analyst views on a fixture", () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await insertAnalyticsFixture(db);
  });
  afterAll(async () => {
    await db?.drop();
  });

  test("current_tickets lists tickets not deleted", async () => {
    const rows = await db.query<{ org_id: string; id: string }>("SELECT org_id, id FROM servicebay.current_tickets ORDER BY org_id, id");

    expect(rows.map((row) => `${row.org_id}/${row.id}`)).toEqual([
      "org_a/t01", "org_a/t02", "org_a/t03", "org_a/t04", "org_a/t05", "org_a/t07", "org_a/t08", "org_a/t09", "org_a/t10", "org_a/t12",
      "org_b/t11",
    ]);
  });

  test("deleted_tickets keeps the last known state", async () => {
    const rows = plain(await db.query("SELECT org_id, id, status, closed_at, version, deleted_at, last_sync_run_id FROM servicebay.deleted_tickets"));

    expect(rows).toEqual([
      { org_id: ORG_A, id: "t06", status: "Closed", closed_at: iso("2026-03-02T11:00:00Z"), version: 2, deleted_at: iso(RUN_AT[2]), last_sync_run_id: "2" },
    ]);
  });

  test("ticket_status_changes lists observed transitions", async () => {
    const rows = plain(
      await db.query(
        "SELECT id, version, from_status, to_status, changed_at, sync_run_id FROM servicebay.ticket_status_changes ORDER BY org_id, id, version",
      ),
    );

    expect(rows).toEqual([
      { id: "t01", version: 2, from_status: "Open", to_status: "Closed", changed_at: iso(RUN_AT[2]), sync_run_id: "2" },
      { id: "t03", version: 2, from_status: "Closed", to_status: "In Progress", changed_at: iso(RUN_AT[2]), sync_run_id: "2" },
      { id: "t03", version: 3, from_status: "In Progress", to_status: "Closed", changed_at: iso(RUN_AT[3]), sync_run_id: "3" },
      { id: "t04", version: 2, from_status: "Open", to_status: "Closed", changed_at: iso(RUN_AT[3]), sync_run_id: "3" },
      { id: "t05", version: 2, from_status: "Closed", to_status: "Open", changed_at: iso(RUN_AT[2]), sync_run_id: "2" },
      { id: "t05", version: 3, from_status: "Open", to_status: "Closed", changed_at: iso(RUN_AT[3]), sync_run_id: "3" },
      { id: "t07", version: 3, from_status: "Open", to_status: "Closed", changed_at: iso(RUN_AT[3]), sync_run_id: "3" },
    ]);
  });

  test("ticket_status_changes carries the ticket number", async () => {
    const rows = await db.query<{ id: string; ticket_number: string; org_id: string }>(
      "SELECT DISTINCT org_id, id, ticket_number FROM servicebay.ticket_status_changes ORDER BY id",
    );

    for (const row of rows) {
      const ticket = FIXTURE_TICKETS.find((candidate) => candidate.id === row.id);
      expect(Number(row.ticket_number)).toBe(ticket?.number);
      expect(row.org_id).toBe(ORG_A);
    }
  });

  test("closed_ticket_durations has one row per closed ticket", async () => {
    const rows = plain(
      await db.query(
        `SELECT org_id, id, status, created_at, closed_at, closed_at_source, duration_seconds, duration_hours,
                assigned_technician, service_location, warranty_repair, reopened
         FROM servicebay.closed_ticket_durations ORDER BY org_id, id`,
      ),
    );
    const row = (org: string, id: string, status: string, created: string, closed: string, source: string, hours: number, technician: string | null, location: string, warranty: boolean, reopened: boolean) => ({
      org_id: org, id, status, created_at: iso(created), closed_at: iso(closed), closed_at_source: source,
      duration_seconds: hours * 3600, duration_hours: hours, assigned_technician: technician, service_location: location,
      warranty_repair: warranty, reopened,
    });

    expect(rows).toEqual([
      row(ORG_A, "t01", "Closed", "2026-03-02T08:00:00Z", "2026-03-02T18:00:00Z", "api", 10, "ana", "instore", false, false),
      row(ORG_A, "t02", "closed", "2026-03-02T09:00:00Z", RUN_AT[1], "observed", 3, "ana", "remote", true, false),
      row(ORG_A, "t03", "Closed", "2026-03-01T10:00:00Z", "2026-03-10T10:00:00Z", "api", 216, "bo", "offsite", false, true),
      row(ORG_A, "t04", "Closed", "2026-03-04T00:00:00Z", RUN_AT[3], "observed", 180, "bo", "instore", false, false),
      row(ORG_A, "t05", "Closed", "2026-03-01T12:00:00Z", RUN_AT[3], "observed", 240, null, "offsite", false, true),
      row(ORG_A, "t07", "Closed", "2026-03-01T08:00:00Z", "2026-03-03T08:00:00Z", "api", 48, "ana", "instore", false, false),
      row(ORG_A, "t12", "Closed", "2026-03-02T08:00:00Z", "2026-03-03T08:00:00Z", "api", 24, "cy", "remote", false, true),
      row(ORG_B, "t11", "Closed", "2026-03-02T08:00:00Z", "2026-03-02T12:00:00Z", "api", 4, "cy", "remote", false, false),
    ]);
  });

  test("closed_ticket_durations leaves out unusable tickets", async () => {
    const rows = await db.query<{ id: string }>("SELECT id FROM servicebay.closed_ticket_durations WHERE id IN ('t06', 't08', 't09', 't10')");

    expect(rows).toEqual([]);
  });

  test("views are plain views", async () => {
    const rows = await db.query<{ relname: string; relkind: string }>(
      `SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'servicebay' AND c.relkind IN ('v', 'm') ORDER BY c.relname`,
    );

    expect(rows).toEqual([
      { relname: "closed_ticket_durations", relkind: "v" },
      { relname: "current_tickets", relkind: "v" },
      { relname: "deleted_tickets", relkind: "v" },
      { relname: "ticket_status_changes", relkind: "v" },
    ]);
  });

  test("every table and view has a comment", async () => {
    const rows = await db.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'servicebay' AND c.relkind IN ('r', 'v', 'm', 'p')
         AND coalesce(obj_description(c.oid, 'pg_class'), '') = ''`,
    );

    expect(rows).toEqual([]);
  });

  test("every column has a comment", async () => {
    const rows = await db.query<{ relname: string; attname: string }>(
      `SELECT c.relname, a.attname FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       WHERE n.nspname = 'servicebay' AND c.relkind IN ('r', 'v', 'm', 'p')
         AND coalesce(col_description(c.oid, a.attnum), '') = ''
       ORDER BY c.relname, a.attnum`,
    );

    expect(rows).toEqual([]);
  });

  test("duration columns state their unit", async () => {
    const rows = await db.query<{ attname: string; comment: string }>(
      `SELECT a.attname, col_description(a.attrelid, a.attnum) AS comment FROM pg_attribute a
       WHERE a.attrelid = 'servicebay.closed_ticket_durations'::regclass AND a.attname IN ('duration_seconds', 'duration_hours')
       ORDER BY a.attname`,
    );

    expect(rows[0]?.comment).toContain("in hours");
    expect(rows[1]?.comment).toContain("in seconds");
  });

  test("second organisation has its own rows", async () => {
    const rows = await db.query<{ id: string }>("SELECT id FROM servicebay.closed_ticket_durations WHERE org_id = $1", [ORG_B]);

    expect(rows.map((row) => row.id)).toEqual(["t11"]);
  });
});
