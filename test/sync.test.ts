import { describe, expect, test } from "vitest";

import { ORG, listedTickets, storedLiveTickets, useHarness } from "./support/harness.js";

/** Row identities: a rewritten row gets a new xmin even when its values are equal. */
async function rowVersions(query: (text: string) => Promise<Record<string, unknown>[]>, table: string): Promise<string[]> {
  const rows = await query(`SELECT id || ':' || xmin::text AS identity FROM ${table} ORDER BY 1`);
  return rows.map((row) => String(row.identity));
}

describe("sync against the simulator", () => {
  const h = useHarness({ tickets: 1234 });

  test("first sync stores exactly what the API lists", async () => {
    const result = await h.sync();

    expect(result.outcome).toBe("succeeded");
    expect(result.counters?.inserted).toBe(1234);
    expect(result.counters?.pages).toBe(13);
    const stored = await storedLiveTickets(h.db);
    expect(stored.size).toBe(1234);
    expect(stored).toEqual(listedTickets(h.sim));
  });

  test("every list request sends limit=100", () => {
    expect(h.sim.stats.listLimits.length).toBeGreaterThan(0);
    expect(new Set(h.sim.stats.listLimits)).toEqual(new Set(["100"]));
  });

  test("typed columns mirror the payload", async () => {
    const [ticket] = h.sim.store.tickets(ORG);
    const [row] = await h.db.query("SELECT * FROM servicebay.tickets WHERE org_id = $1 AND id = $2", [ORG, ticket?.id]);

    expect(row?.ticket_number).toBe(String(ticket?.ticketId));
    expect(row?.status).toBe(ticket?.status);
    expect((row?.created_at as Date).toISOString()).toBe(new Date(String(ticket?.timestamp)).toISOString());
    expect(row?.customer_name).toBe(ticket?.customerName ?? null);
    expect(row?.service_location).toBe(ticket?.serviceLocation ?? null);
    expect(row?.version).toBe(1);
  });

  test("second sync without changes rewrites no row", async () => {
    const ticketsBefore = await rowVersions(h.db.query, "servicebay.tickets");
    const versionsBefore = await rowVersions(h.db.query, "servicebay.ticket_versions");

    const result = await h.sync();

    expect(result.outcome).toBe("succeeded");
    expect(result.counters?.unchanged).toBe(1234);
    expect(result.counters?.inserted).toBe(0);
    expect(result.counters?.updated).toBe(0);
    expect(await rowVersions(h.db.query, "servicebay.tickets")).toEqual(ticketsBefore);
    expect(await rowVersions(h.db.query, "servicebay.ticket_versions")).toEqual(versionsBefore);
  });

  test("edits update the row and add a version", async () => {
    const [first, second] = [...h.sim.store.ids(ORG)];
    h.sim.store.update(ORG, first!, { status: "Closed", ticketClosedTimestamp: "2026-11-30T10:00:00Z" });
    h.sim.store.update(ORG, second!, { customerName: "Zoë Ångström" });

    const result = await h.sync();

    expect(result.counters?.updated).toBe(2);
    expect(result.counters?.unchanged).toBe(1232);
    const rows = await h.db.query("SELECT id, status, closed_at, customer_name, version FROM servicebay.tickets WHERE id = ANY($1) ORDER BY id", [[first, second]]);
    expect(rows[0]?.status).toBe("Closed");
    expect((rows[0]?.closed_at as Date).toISOString()).toBe("2026-11-30T10:00:00.000Z");
    expect(rows[1]?.customer_name).toBe("Zoë Ångström");
    expect(rows.map((row) => row.version)).toEqual([2, 2]);
  });

  test("deleted jobs are soft-deleted, exactly those", async () => {
    const removed = [...h.sim.store.ids(ORG)].filter((_, index) => index % 100 === 7).slice(0, 10);
    for (const id of removed) h.sim.store.remove(ORG, id);

    const result = await h.sync();

    expect(result.outcome).toBe("succeeded");
    expect(result.counters?.deleted).toBe(10);
    const deleted = await h.db.query<{ id: string }>("SELECT id FROM servicebay.tickets WHERE deleted_at IS NOT NULL ORDER BY id");
    expect(deleted.map((row) => row.id)).toEqual([...removed].sort());
    expect(await storedLiveTickets(h.db)).toEqual(listedTickets(h.sim));
  });

  test("a job that reappears is undeleted", async () => {
    const [row] = await h.db.query<{ id: string; raw: Record<string, unknown> }>(
      "SELECT id, raw FROM servicebay.tickets WHERE deleted_at IS NOT NULL ORDER BY id LIMIT 1",
    );
    h.sim.store.putRaw(ORG, row!.id, row!.raw);

    const result = await h.sync();

    expect(result.counters?.undeleted).toBe(1);
    const [after] = await h.db.query("SELECT deleted_at FROM servicebay.tickets WHERE id = $1", [row!.id]);
    expect(after?.deleted_at).toBeNull();
  });

  test("new jobs are inserted", async () => {
    const created = h.sim.store.create(ORG, { status: "Open" });

    const result = await h.sync();

    expect(result.counters?.inserted).toBe(1);
    const [row] = await h.db.query("SELECT status, deleted_at FROM servicebay.tickets WHERE id = $1", [created.id]);
    expect(row?.status).toBe("Open");
  });

  test("runs are recorded in sync_runs", async () => {
    const runs = await h.db.query("SELECT status, pages, tickets_seen, finished_at FROM servicebay.sync_runs ORDER BY id");

    expect(runs.length).toBe(6);
    expect(runs.every((run) => run.status === "succeeded")).toBe(true);
    expect(runs.every((run) => run.finished_at !== null)).toBe(true);
    expect(runs[0]?.tickets_seen).toBe(1234);
  });
});
