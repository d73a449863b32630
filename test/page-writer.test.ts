import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import { createRun, emptyRunCounters, type RunCounters } from "../src/db/runs.js";
import { softDeleteUnlistedTickets } from "../src/db/tickets.js";
import { parseTicketPage } from "../src/servicebay/parse.js";
import type { ParsedTicket } from "../src/servicebay/types.js";
import { TicketGenerator } from "../src/simulator/generate.js";
import { PageWriter } from "../src/worker/page-commit.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";

const ORG = "org_writer";

let db: TestDatabase;
let client: pg.PoolClient;
/** The names and ticket parameters of the statements the page writer sent, in order. */
let sent: { name: string; ticketIds: string[] }[];

beforeAll(async () => {
  db = await createTestDatabase();
  client = await db.pool.connect();
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  // Records what reaches PostgreSQL. The statements still run on the real server.
  (client as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args) => {
    const [config] = args;
    if (typeof config === "object" && config !== null && "name" in config) {
      const { name, values } = config as { name: string; values: unknown[] };
      sent.push({ name, ticketIds: ticketIdsOf(name, values) });
    }
    return query(...args);
  };
});
afterAll(async () => {
  client?.release();
  await db?.drop();
});
beforeEach(async () => {
  sent = [];
  await db.query("TRUNCATE servicebay.tickets, servicebay.ticket_versions, servicebay.sync_runs CASCADE");
});

/** Returns the IDs a hash comparison sent, or the IDs whose content a page statement carried. */
function ticketIdsOf(name: string, values: unknown[]): string[] {
  if (name === "servicebay_commit_unchanged_page") return values[2] as string[];
  const records = JSON.parse(values[2] as string) as [string, ...unknown[]][];
  return records.map(([id]) => id);
}

const generator = new TicketGenerator(3, 10_000);

/** Generated tickets with IDs `<prefix>000` and up, as the API client parses them. */
function tickets(prefix: string, count: number, notes = "first notes"): ParsedTicket[] {
  const payloads = Array.from({ length: count }, (_, index) => {
    const id = `${prefix}${String(index).padStart(3, "0")}`;
    return { ...generator.ticket(index, id), serviceNotes: notes };
  });
  return parseTicketPage(JSON.parse(JSON.stringify(payloads)) as unknown[]).tickets;
}

/** Writes pages as one run, in order, and returns the run's counters. */
async function writeRun(pages: ParsedTicket[][]): Promise<RunCounters> {
  return (await writeRunWithId(pages)).counters;
}

async function writeRunWithId(pages: ParsedTicket[][]): Promise<{ runId: number; counters: RunCounters }> {
  const run = await createRun(client, ORG, false);
  const writer = new PageWriter(client);
  let counters = emptyRunCounters();
  let cursor: string | null = null;
  for (const [index, page] of pages.entries()) {
    const cursorAfter: string | null = page.at(-1)?.id ?? cursor;
    counters = await writer.commit(
      {
        runId: run.id, orgId: ORG, page: index + 1, cursorBefore: cursor, cursorAfter, scanComplete: index === pages.length - 1,
        tickets: page, listed: page.length, issues: { skipped: 0, repairedStrings: 0, unparseableDates: 0, coercedValues: 0, invalidValues: 0 },
      },
      counters,
    );
    cursor = cursorAfter;
  }
  return { runId: run.id, counters };
}

async function tableCounts(): Promise<{ tickets: number; versions: number }> {
  const [row] = await db.query<{ tickets: number; versions: number }>(
    `SELECT (SELECT count(*)::int FROM servicebay.tickets) AS tickets,
            (SELECT count(*)::int FROM servicebay.ticket_versions) AS versions`,
  );
  return row!;
}

describe("PageWriter", () => {
  test("sends only changed tickets' content", async () => {
    await writeRun([tickets("a", 10)]);
    sent = [];

    const changed = tickets("a", 10);
    changed[3] = tickets("a", 10, "new notes")[3]!;
    const counters = await writeRun([changed]);

    expect(sent.map((statement) => statement.name)).toEqual(["servicebay_commit_unchanged_page", "servicebay_commit_ticket_page"]);
    expect(sent[0]!.ticketIds).toHaveLength(10);
    expect(sent[1]!.ticketIds).toEqual(["a003"]);
    expect(counters.updated).toBe(1);
    expect(counters.unchanged).toBe(9);
  });

  test("commits an unchanged page in one statement", async () => {
    await writeRun([tickets("a", 10)]);
    sent = [];

    const { runId, counters } = await writeRunWithId([tickets("a", 10)]);

    expect(sent.map((statement) => statement.name)).toEqual(["servicebay_commit_unchanged_page"]);
    expect(counters.unchanged).toBe(10);
    expect(await tableCounts()).toEqual({ tickets: 10, versions: 10 });
    const [run] = await db.query("SELECT pages, unchanged, tickets_seen, cursor, scan_complete FROM servicebay.sync_runs WHERE id = $1", [runId]);
    expect(run).toEqual({ pages: 1, unchanged: 10, tickets_seen: 10, cursor: "a009", scan_complete: true });
    const [pages] = await db.query<{ ids: string[] }>("SELECT ticket_ids AS ids FROM servicebay.sync_run_pages WHERE run_id = $1", [runId]);
    expect(pages!.ids).toHaveLength(10);
  });

  test("skips the lookup after an all-new page", async () => {
    await writeRun([tickets("b", 5)]);
    sent = [];

    // Page 1 is new. Page 2 was stored before, so it is sent whole and must not be rewritten.
    const counters = await writeRun([tickets("a", 5), tickets("b", 5)]);

    expect(sent.map((statement) => statement.name)).toEqual([
      "servicebay_commit_unchanged_page",
      "servicebay_commit_ticket_page",
      "servicebay_commit_ticket_page",
    ]);
    expect(sent[2]!.ticketIds).toHaveLength(5);
    expect(counters.inserted).toBe(5);
    expect(counters.unchanged).toBe(5);
    expect(counters.updated).toBe(0);
    expect(await tableCounts()).toEqual({ tickets: 10, versions: 10 });
  });

  test("looks up again after a page with stored tickets", async () => {
    await writeRun([tickets("b", 5)]);
    sent = [];

    await writeRun([tickets("b", 5), tickets("c", 5)]);

    expect(sent.map((statement) => statement.name)).toEqual([
      "servicebay_commit_unchanged_page",
      "servicebay_commit_unchanged_page",
      "servicebay_commit_ticket_page",
    ]);
  });

  test("sends a deleted ticket that is back", async () => {
    await writeRun([tickets("a", 4)]);
    await db.query("UPDATE servicebay.tickets SET deleted_at = now() WHERE id = 'a002'");
    sent = [];

    const counters = await writeRun([tickets("a", 4)]);

    expect(sent[1]!.ticketIds).toEqual(["a002"]);
    expect(counters.undeleted).toBe(1);
  });

  test("stores hashes equal to md5(raw::text)", async () => {
    await writeRun([tickets("a", 20)]);
    await writeRun([tickets("a", 20, "changed notes \u00fc \n \"quoted\"")]);

    const mismatches = await db.query(
      `SELECT id FROM servicebay.tickets WHERE payload_hash <> md5(raw::text)
       UNION ALL
       SELECT id FROM servicebay.ticket_versions WHERE payload_hash <> md5(raw::text)`,
    );
    expect(mismatches).toEqual([]);
    expect(await tableCounts()).toEqual({ tickets: 20, versions: 40 });
  });

  test("stores each typed column", async () => {
    const payload = {
      id: "typed1", ticketId: "42", status: "Closed", timestamp: "2026-03-01T10:00:00+01:00", ticketClosedTimestamp: null,
      customerName: "Zoë \"Q\" Núñez", warrantyRepair: "TRUE", alternativeCustomerAddress: false,
      additionalItems: null, messageRooms: { room: [1, 2] }, serviceNotes: 12.5,
    };
    const [ticket] = parseTicketPage([payload]).tickets;

    await writeRun([[ticket!]]);

    const [row] = await db.query(
      `SELECT ticket_number::int AS ticket_number, status, created_at, closed_at, customer_name, warranty_repair,
              alternative_customer_address, additional_items, message_rooms, service_notes, customer_id, raw
       FROM servicebay.tickets WHERE id = 'typed1'`,
    );
    expect(row).toEqual({
      ticket_number: 42,
      status: "Closed",
      created_at: new Date("2026-03-01T09:00:00Z"),
      closed_at: null,
      customer_name: 'Zoë "Q" Núñez',
      warranty_repair: true,
      alternative_customer_address: false,
      additional_items: null,
      message_rooms: { room: [1, 2] },
      service_notes: "12.5",
      customer_id: null,
      raw: payload,
    });
  });
});

describe("softDeleteUnlistedTickets", () => {
  /** Stores 40 tickets, then lists all but `unlisted` of them in a second run and deletes with the limit. */
  async function deleteAfterListingAllBut(unlisted: number, maxFraction: number, allowMassDelete = false) {
    await writeRun([tickets("d", 40)]);
    const { runId } = await writeRunWithId([tickets("d", 40).slice(unlisted)]);

    await client.query("BEGIN");
    try {
      return await softDeleteUnlistedTickets(client, ORG, runId, { minTickets: 10, maxFraction, allowMassDelete });
    } finally {
      await client.query("COMMIT");
    }
  }

  async function deletedCount(): Promise<number> {
    const [row] = await db.query<{ count: number }>("SELECT count(*)::int AS count FROM servicebay.tickets WHERE deleted_at IS NOT NULL");
    return row!.count;
  }

  test("deletes up to the fraction", async () => {
    const result = await deleteAfterListingAllBut(20, 0.5);

    expect(result).toEqual({ live: 40, unlisted: 20, applied: true, deleted: 20 });
    expect(await deletedCount()).toBe(20);
  });

  test("holds back one over the fraction", async () => {
    const result = await deleteAfterListingAllBut(21, 0.5);

    expect(result).toEqual({ live: 40, unlisted: 21, applied: false, deleted: 0 });
    expect(await deletedCount()).toBe(0);
  });

  test("deletes up to the minimum count", async () => {
    const result = await deleteAfterListingAllBut(10, 0.1);

    expect(result).toEqual({ live: 40, unlisted: 10, applied: true, deleted: 10 });
  });

  test("holds back one over the minimum count", async () => {
    const result = await deleteAfterListingAllBut(11, 0.1);

    expect(result.applied).toBe(false);
    expect(await deletedCount()).toBe(0);
  });

  test("deletes everything when allowed", async () => {
    const result = await deleteAfterListingAllBut(40, 0.1, true);

    expect(result).toEqual({ live: 40, unlisted: 40, applied: true, deleted: 40 });
    expect(await tableCounts()).toEqual({ tickets: 40, versions: 80 });
  });
});
