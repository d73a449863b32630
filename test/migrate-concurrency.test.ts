import { readFileSync } from "node:fs";

import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { MIGRATIONS_FOLDER } from "../src/db/migrate.js";
import { runCli } from "./support/cli.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";

const PROCESSES = 4;

const journal = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, "utf8")) as { entries: { tag: string }[] };

describe("migrate started by four processes at once", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await db?.drop();
  });

  const migrateTogether = () => Promise.all(Array.from({ length: PROCESSES }, () => runCli(["migrate"], { DATABASE_URL: db.url })));

  async function appliedMigrations() {
    return db.query<{ applied: number; distinct_hashes: number }>(
      "SELECT count(*)::int AS applied, count(DISTINCT hash)::int AS distinct_hashes FROM drizzle.__drizzle_migrations",
    );
  }

  test("every process succeeds on an empty database", { timeout: 60_000 }, async () => {
    const results = await migrateTogether();

    for (const result of results) {
      expect(result.exit.code, result.output).toBe(0);
    }
  });

  test("each migration is applied once", async () => {
    const [row] = await appliedMigrations();

    expect(row?.applied).toBe(journal.entries.length);
    expect(row?.distinct_hashes).toBe(journal.entries.length);
  });

  test("the schema is usable afterwards", async () => {
    const [row] = await db.query<{ runs: number }>("SELECT count(*)::int AS runs FROM servicebay.sync_runs");

    expect(row?.runs).toBe(0);
  });

  test("a second wave finds nothing to apply", { timeout: 60_000 }, async () => {
    const results = await migrateTogether();
    const [row] = await appliedMigrations();

    for (const result of results) {
      expect(result.exit.code, result.output).toBe(0);
    }
    expect(row?.applied).toBe(journal.entries.length);
  });
});
