/**
 * The benchmark's databases: a fresh database per scenario group on the server named by
 * DATABASE_URL or TEST_DATABASE_URL, else on an embedded PostgreSQL, plus the table statistics
 * and the plain COPY the results are compared with.
 */
import { randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";

import pg from "pg";

import { startEmbeddedPostgres, type EmbeddedDatabase } from "../db/embedded.js";

const execFileAsync = promisify(execFile);

/** A PostgreSQL server the benchmark may create and drop databases on. */
export interface BenchServer {
  /** Origin of the server, for the report: "DATABASE_URL", "TEST_DATABASE_URL" or "embedded". */
  source: string;
  adminUrl: string;
  stop(): Promise<void>;
}

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Row counts written to one table, from `pg_stat_user_tables`. */
export interface TableWrites {
  inserted: number;
  updated: number;
  deleted: number;
}

export type WriteStats = Record<"tickets" | "ticket_versions", TableWrites>;

/** Uses DATABASE_URL, then TEST_DATABASE_URL, else starts an embedded PostgreSQL in a temporary folder. */
export async function openBenchServer(log: (line: string) => void): Promise<BenchServer> {
  for (const name of ["DATABASE_URL", "TEST_DATABASE_URL"] as const) {
    const url = process.env[name];
    if (url) return { source: name, adminUrl: url, stop: async () => undefined };
  }

  const dataDir = mkdtempSync(join(tmpdir(), "servicebay-bench-pg-"));
  log(`starting an embedded PostgreSQL in ${dataDir}`);
  let embedded: EmbeddedDatabase;
  try {
    embedded = await startEmbeddedPostgres({ dataDir });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    source: "embedded",
    adminUrl: embedded.url,
    stop: async () => {
      await embedded.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates an empty database `servicebay_bench_<random>` on the server. */
export async function createBenchDatabase(server: BenchServer): Promise<BenchDatabase> {
  const name = `servicebay_bench_${randomBytes(5).toString("hex")}`;
  await withClient(server.adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));

  const url = new URL(server.adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => withClient(server.adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: "servicebay-bench" });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Reads the cumulative row counts of the ticket tables. Call it after the worker process has
 * exited, because a PostgreSQL 15 backend publishes its counts when it goes idle at most once a
 * second, and when it exits ("The Cumulative Statistics System" in the PostgreSQL manual). So this waits
 * until no worker connection is left, then reads a fresh snapshot.
 */
export async function readWriteStats(url: string): Promise<WriteStats> {
  return withClient(url, async (client) => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const result = await client.query<{ count: number }>(
        "SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'servicebay-sync'",
      );
      if (result.rows[0]?.count === 0) break;
      await sleep(100);
    }
    // A backend removes itself from pg_stat_activity around the time it flushes its counts.
    await sleep(300);
    await client.query("SELECT pg_stat_clear_snapshot()");

    const result = await client.query<{ relname: string; inserted: string; updated: string; deleted: string }>(
      `SELECT relname, n_tup_ins AS inserted, n_tup_upd AS updated, n_tup_del AS deleted
       FROM pg_stat_user_tables WHERE schemaname = 'servicebay' AND relname IN ('tickets', 'ticket_versions')`,
    );
    const stats: WriteStats = { tickets: emptyWrites(), ticket_versions: emptyWrites() };
    for (const row of result.rows) {
      stats[row.relname as keyof WriteStats] = { inserted: Number(row.inserted), updated: Number(row.updated), deleted: Number(row.deleted) };
    }
    return stats;
  });
}

function emptyWrites(): TableWrites {
  return { inserted: 0, updated: 0, deleted: 0 };
}

/** Returns `after - before` for each table and count. */
export function subtractWriteStats(after: WriteStats, before: WriteStats): WriteStats {
  const minus = (a: TableWrites, b: TableWrites): TableWrites => ({
    inserted: a.inserted - b.inserted,
    updated: a.updated - b.updated,
    deleted: a.deleted - b.deleted,
  });
  return { tickets: minus(after.tickets, before.tickets), ticket_versions: minus(after.ticket_versions, before.ticket_versions) };
}

export interface CopyResult {
  rows: number;
  copyMs: number;
  rowsPerSecond: number;
  /**
   * The same rows copied into an empty table shaped like `servicebay.tickets`, plus the rows of
   * `servicebay.ticket_versions` into one shaped like it: the floor for writing what a first
   * sync writes. Jobs per second over both COPYs.
   */
  withVersions: { rows: number; copyMs: number; jobsPerSecond: number };
}

/**
 * Copies the rows of `servicebay.tickets` to a file, then times a plain COPY of that file into
 * an empty table of the same shape (`LIKE ... INCLUDING ALL`, so with the same indexes and
 * constraints): the floor for any way of writing those rows. Then it times the same for
 * `servicebay.ticket_versions`. It uses psql's `\copy`, because COPY FROM STDIN needs a
 * streaming client that is not among this project's dependencies, and a server-side COPY FROM
 * a file works only when the server shares this machine's file system.
 */
export async function timePlainCopy(url: string, psql: string): Promise<CopyResult> {
  const folder = mkdtempSync(join(tmpdir(), "servicebay-bench-copy-"));
  try {
    await withClient(url, (client) => client.query("CREATE SCHEMA bench_copy"));
    const tickets = await timeTableCopy(url, psql, "tickets", join(folder, "tickets.copy"));
    const versions = await timeTableCopy(url, psql, "ticket_versions", join(folder, "ticket_versions.copy"));
    await withClient(url, (client) => client.query("DROP SCHEMA bench_copy CASCADE"));

    const bothMs = tickets.copyMs + versions.copyMs;
    return {
      rows: tickets.rows,
      copyMs: tickets.copyMs,
      rowsPerSecond: tickets.rows / (tickets.copyMs / 1000),
      withVersions: { rows: versions.rows, copyMs: bothMs, jobsPerSecond: tickets.rows / (bothMs / 1000) },
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Copies one table of the `servicebay` schema to a file and times a COPY of it into an empty table of the same shape. */
async function timeTableCopy(url: string, psql: string, table: string, file: string): Promise<{ rows: number; copyMs: number }> {
  await runPsql(psql, url, [`\\copy servicebay.${table} TO '${file}'`]);
  await withClient(url, (client) => client.query(`CREATE TABLE bench_copy.${table} (LIKE servicebay.${table} INCLUDING ALL)`));

  const output = await runPsql(psql, url, ["\\timing on", `\\copy bench_copy.${table} FROM '${file}'`]);
  const rows = Number(/^COPY (\d+)$/m.exec(output)?.[1]);
  const copyMs = Number(/^Time: ([\d.]+) ms/m.exec(output)?.[1]);
  if (!Number.isFinite(rows) || !Number.isFinite(copyMs)) {
    throw new Error(`Could not read the row count and time of the COPY from psql's output: ${output.slice(0, 500)}`);
  }
  return { rows, copyMs };
}

/** Runs psql with the connection in libpq's environment variables, so no password appears in a process list. */
async function runPsql(psql: string, url: string, commands: string[]): Promise<string> {
  const parsed = new URL(url);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PGHOST: parsed.hostname,
    PGPORT: parsed.port || "5432",
    PGUSER: decodeURIComponent(parsed.username),
    PGDATABASE: decodeURIComponent(parsed.pathname.slice(1)),
  };
  if (parsed.password) env.PGPASSWORD = decodeURIComponent(parsed.password);
  const args = ["-X", "-v", "ON_ERROR_STOP=1", ...commands.flatMap((command) => ["-c", command])];
  const { stdout } = await execFileAsync(psql, args, { env, maxBuffer: 1024 * 1024 });
  return stdout;
}
