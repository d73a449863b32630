import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { grantReadAccess } from "../src/commands/grant-read.js";
import { ORG, useHarness } from "./support/harness.js";

const DOC_PATH = new URL("../docs/analytics.md", import.meta.url);

/** Returns the body of every fenced block whose info string is exactly `sql`. */
function sqlBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sql\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? "");
}

describe("SQL in docs/analytics.md", () => {
  const h = useHarness({ tickets: 300 });
  const role = `sbsync_analyst_${randomBytes(4).toString("hex")}`;
  const blocks = sqlBlocks(readFileSync(DOC_PATH, "utf8"));
  const deleted: string[] = [];
  const reopened: string[] = [];

  /** Runs a query as the read-only role, in a read-only transaction that is rolled back. */
  async function queryAsAnalyst(text: string): Promise<Record<string, unknown>[]> {
    const client = await h.db.pool.connect();
    try {
      await client.query("BEGIN READ ONLY");
      await client.query(`SET LOCAL ROLE ${client.escapeIdentifier(role)}`);
      return (await client.query(text)).rows;
    } finally {
      await client.query("ROLLBACK").catch(() => undefined);
      client.release();
    }
  }

  beforeAll(async () => {
    expect((await h.sync()).outcome).toBe("succeeded");

    const tickets = [...h.sim.store.tickets(ORG)];
    const open = tickets.filter((ticket) => ticket.status !== "Closed").map((ticket) => String(ticket.id));
    const closed = tickets.filter((ticket) => ticket.status === "Closed").map((ticket) => String(ticket.id));
    const now = new Date().toISOString().slice(0, 19) + "Z";

    // Closes with and without an API close time, reopenings, and deletions between two syncs.
    for (const id of open.slice(0, 4)) h.sim.store.update(ORG, id, { status: "Closed", ticketClosedTimestamp: now });
    for (const id of open.slice(4, 7)) h.sim.store.update(ORG, id, { status: "Closed" });
    reopened.push(...closed.slice(0, 3));
    for (const id of reopened) h.sim.store.update(ORG, id, { status: "In Progress", ticketClosedTimestamp: undefined });
    deleted.push(...closed.slice(10, 15));
    for (const id of deleted) h.sim.store.remove(ORG, id);
    expect((await h.sync()).outcome).toBe("succeeded");

    for (const id of reopened.slice(0, 2)) h.sim.store.update(ORG, id, { status: "Closed", ticketClosedTimestamp: now });
    expect((await h.sync()).outcome).toBe("succeeded");

    const admin = new pg.Client(h.db.url);
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${role} NOLOGIN`);
      await grantReadAccess(admin, role);
    } finally {
      await admin.end();
    }
  });

  afterAll(async () => {
    // Roles belong to the whole server, so the role is dropped before the harness drops the database.
    const admin = new pg.Client(h.db.url);
    await admin.connect();
    try {
      await admin.query(`DROP OWNED BY ${role}`);
      await admin.query(`DROP ROLE ${role}`);
    } finally {
      await admin.end();
    }
  });

  test("doc has a query per question", () => {
    expect(blocks.length).toBe(6);
  });

  for (const [index, block] of blocks.entries()) {
    const title = block.split("\n").find((line) => /^(SELECT|--)/.test(line))?.slice(0, 50) ?? "";

    test(`query ${index + 1} returns rows: ${title}`, async () => {
      const rows = await queryAsAnalyst(block);
      expect(rows.length).toBeGreaterThan(0);
    });
  }

  test("deleted jobs query finds the deleted jobs", async () => {
    const block = blocks.find((text) => text.includes("FROM servicebay.deleted_tickets")) ?? "";
    const rows = await queryAsAnalyst(block);

    expect(rows.map((row) => row.id).sort()).toEqual([...deleted].sort());
  });

  test("reopened query finds every reopening", async () => {
    const block = blocks.find((text) => text.includes("FROM servicebay.ticket_status_changes")) ?? "";
    const rows = await queryAsAnalyst(block);

    expect(rows.map((row) => row.id).sort()).toEqual([...reopened].sort());
    expect(rows.filter((row) => row.current_status === "Closed").length).toBe(2);
  });

  test("reclosed query flags the reopened jobs", async () => {
    const block = blocks.find((text) => text.includes("\nWHERE reopened\n")) ?? "";
    const rows = await queryAsAnalyst(block);

    expect(rows.map((row) => row.id).sort()).toEqual(reopened.slice(0, 2).sort());
  });
});
