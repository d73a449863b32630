import { randomBytes } from "node:crypto";

import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";

import { runCli } from "./support/cli.js";

/** Runs one statement on the server's admin database. */
async function admin(sql: string): Promise<void> {
  const client = new pg.Client(inject("adminDatabaseUrl"));
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe("a database that is not UTF8", () => {
  const name = `sbsync_test_latin1_${randomBytes(4).toString("hex")}`;
  let url: string;
  beforeAll(async () => {
    await admin(`CREATE DATABASE ${name} ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
    const parsed = new URL(inject("adminDatabaseUrl"));
    parsed.pathname = `/${name}`;
    url = parsed.toString();
  });
  afterAll(async () => {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  test("migrate fails with the encoding", async () => {
    const result = await runCli(["migrate"], { DATABASE_URL: url });

    expect(result.exit.code).toBe(1);
    expect(result.output).toContain(`The database "${name}" uses the LATIN1 encoding`);
    expect(result.output).toContain("createdb --encoding=UTF8");
  });

  test("nothing is created", async () => {
    const client = new pg.Client(url);
    await client.connect();
    const schemas = await client.query("SELECT nspname FROM pg_namespace WHERE nspname IN ('servicebay', 'drizzle')");
    await client.end();

    expect(schemas.rows).toEqual([]);
  });
});
