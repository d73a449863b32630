import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";

import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";

import { GrantReadError, checkRoleName, grantReadAccess, grantReadCommand } from "../src/commands/grant-read.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";

const RELATIONS = [
  "tickets",
  "ticket_versions",
  "sync_runs",
  "sync_run_pages",
  "current_tickets",
  "deleted_tickets",
  "ticket_status_changes",
  "closed_ticket_durations",
];

function captureOutput() {
  const chunks = { stdout: "", stderr: "" };
  const sink = (name: keyof typeof chunks) =>
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks[name] += chunk.toString();
        callback();
      },
    });
  return { chunks, output: { stdout: sink("stdout"), stderr: sink("stderr") } };
}

/** Runs one statement as `role` and returns the SQLSTATE it failed with, or null on success. */
async function sqlStateAs(db: TestDatabase, role: string, text: string): Promise<string | null> {
  const client = await db.pool.connect();
  try {
    await client.query("BEGIN");
    await client.query(`SET LOCAL ROLE ${client.escapeIdentifier(role)}`);
    await client.query(text);
    return null;
  } catch (error) {
    return String((error as { code?: unknown }).code);
  } finally {
    await client.query("ROLLBACK").catch(() => undefined);
    client.release();
  }
}

describe("role name check", () => {
  const rejected = ["", "1analyst", "bad name", 'x"; DROP TABLE servicebay.tickets; --', "a-b", "analyst.read", "é", "a".repeat(64)];
  const accepted = ["analyst", "_read1", "BI_Reader", "a".repeat(63)];

  for (const name of rejected) {
    test(`rejects ${JSON.stringify(name.slice(0, 20))}`, () => {
      expect(checkRoleName(name)).toContain("Invalid role name");
    });
  }

  for (const name of accepted) {
    test(`accepts ${name.slice(0, 20)}`, () => {
      expect(checkRoleName(name)).toBeNull();
    });
  }

  test("command exits with code 2", async () => {
    const { chunks, output } = captureOutput();

    const code = await grantReadCommand("bad name", output);

    expect(code).toBe(2);
    expect(chunks.stderr).toContain('Invalid role name "bad name"');
    expect(chunks.stdout).toBe("");
  });
});

describe("grant-read on a database", () => {
  const role = `sbsync_reader_${randomBytes(4).toString("hex")}`;
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(`CREATE ROLE ${role} NOLOGIN`);
  });
  afterAll(async () => {
    await db?.drop();
    // Roles belong to the whole server; the privileges went with the dropped database.
    const admin = new pg.Client(inject("adminDatabaseUrl"));
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  });

  test("missing role is reported", async () => {
    const client = await db.pool.connect();
    try {
      await expect(grantReadAccess(client, "sbsync_no_such_role")).rejects.toThrow(GrantReadError);
      await expect(grantReadAccess(client, "sbsync_no_such_role")).rejects.toThrow('Role "sbsync_no_such_role" does not exist');
    } finally {
      client.release();
    }
  });

  test("role in other letter case gets a hint", async () => {
    const client = await db.pool.connect();
    try {
      await expect(grantReadAccess(client, role.toUpperCase())).rejects.toThrow(`A role "${role}" exists`);
    } finally {
      client.release();
    }
  });

  test("role cannot read before the grant", async () => {
    expect(await sqlStateAs(db, role, "SELECT 1 FROM servicebay.current_tickets")).toBe("42501");
  });

  test("command grants and reports the relations", async () => {
    process.env.DATABASE_URL = db.url;
    process.env.LOG_LEVEL = "silent";
    const { chunks, output } = captureOutput();

    const code = await grantReadCommand(role, output);

    expect(code).toBe(0);
    expect(chunks.stdout).toContain(`Granted role "${role}" USAGE on schema servicebay and SELECT on its ${RELATIONS.length} tables and views`);
  });

  for (const relation of RELATIONS) {
    test(`granted role reads ${relation}`, async () => {
      expect(await sqlStateAs(db, role, `SELECT * FROM servicebay.${relation} LIMIT 1`)).toBeNull();
    });
  }

  test("granted role cannot insert", async () => {
    const insert = "INSERT INTO servicebay.sync_runs (org_id) VALUES ('org_x')";

    expect(await sqlStateAs(db, role, insert)).toBe("42501");
  });

  test("granted role cannot update or delete", async () => {
    expect(await sqlStateAs(db, role, "UPDATE servicebay.tickets SET status = 'x'")).toBe("42501");
    expect(await sqlStateAs(db, role, "DELETE FROM servicebay.ticket_versions")).toBe("42501");
  });

  test("granted role cannot create tables", async () => {
    expect(await sqlStateAs(db, role, "CREATE TABLE servicebay.scratch (x int)")).toBe("42501");
  });

  test("later tables and views are readable", async () => {
    await db.query("CREATE TABLE servicebay.later_table (x int)");
    await db.query("CREATE VIEW servicebay.later_view AS SELECT x FROM servicebay.later_table");

    expect(await sqlStateAs(db, role, "SELECT * FROM servicebay.later_table")).toBeNull();
    expect(await sqlStateAs(db, role, "SELECT * FROM servicebay.later_view")).toBeNull();
  });

  test("granting twice succeeds", async () => {
    const client = await db.pool.connect();
    try {
      const summary = await grantReadAccess(client, role);
      expect(summary.relations).toBe(RELATIONS.length + 2);
    } finally {
      client.release();
    }
  });
});
