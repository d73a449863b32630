import { randomBytes } from "node:crypto";

import pg from "pg";
import { inject } from "vitest";

import { runMigrations } from "../../src/db/migrate.js";
import { createPool } from "../../src/db/pool.js";
import { createLogger } from "../../src/logger.js";

export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  /** Runs one query and returns its rows. */
  query<T extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

export const silentLogger = createLogger({ level: "silent", format: "json" });

/** Creates an empty database of its own for one test file, with migrations applied. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = inject("adminDatabaseUrl");
  const name = `sbsync_test_${randomBytes(6).toString("hex")}`;

  const admin = new pg.Client(adminUrl);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();

  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = createPool(url.toString(), silentLogger, { max: 6 });
  if (options.migrate !== false) await runMigrations(pool, silentLogger);

  return {
    url: url.toString(),
    pool,
    query: async (text, values) => (await pool.query(text, values)).rows,
    drop: async () => {
      await pool.end();
      const dropper = new pg.Client(adminUrl);
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}
