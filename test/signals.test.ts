import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";

import { compareMirror } from "../src/chaos/verify.js";
import { startSimulator, type RunningSimulator } from "../src/simulator/index.js";
import { CliProcess, runCli, syncEnv } from "./support/cli.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { KEY, ORG, listedTickets } from "./support/harness.js";

const STOP_LINE = "stop signal received; stopping after the page in flight";

describe("stop signals during sync", () => {
  let db: TestDatabase;
  let sim: RunningSimulator;
  const running: CliProcess[] = [];
  let blocker: pg.Client | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    sim = await startSimulator({
      seed: 21, rateLimitPerMinute: null, faults: { latencyMs: 40 },
      organisations: [{ orgId: ORG, apiKey: KEY, tickets: 1500 }],
    });
  });
  afterEach(async () => {
    await releaseTables();
    for (const cli of running.splice(0)) {
      cli.kill("SIGKILL");
      await cli.exited;
    }
  });
  afterAll(async () => {
    await sim?.close();
    await db?.drop();
  });

  const env = () => syncEnv({ baseUrl: sim.url, orgId: ORG, apiKey: KEY, databaseUrl: db.url });
  const spawnSync = (args: string[] = []) => {
    const cli = new CliProcess(["sync", ...args], env());
    running.push(cli);
    return cli;
  };

  /** Blocks every page commit by holding an exclusive lock on the page table in an open transaction. */
  async function blockPageCommits(): Promise<void> {
    blocker = new pg.Client(db.url);
    await blocker.connect();
    await blocker.query("BEGIN");
    await blocker.query("LOCK TABLE servicebay.sync_run_pages IN ACCESS EXCLUSIVE MODE");
  }

  /** Waits until the worker's page commit is blocked by that lock, so a stop finds the page in flight. */
  async function waitForBlockedCommit(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const [row] = await db.query<{ blocked: number }>(
        `SELECT count(*)::int AS blocked FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'servicebay-sync' AND wait_event_type = 'Lock'`,
      );
      if ((row?.blocked ?? 0) > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error("The worker's page commit did not block within 10 s");
  }

  async function releaseTables(): Promise<void> {
    if (!blocker) return;
    await blocker.query("ROLLBACK").catch(() => undefined);
    await blocker.end().catch(() => undefined);
    blocker = undefined;
  }

  async function latestRun() {
    const [row] = await db.query<{ id: number; status: string; cursor: string | null; pages: number; resume_count: number; saved_pages: number }>(
      `SELECT r.id::int AS id, r.status, r.cursor, r.pages, r.resume_count,
              (SELECT count(*)::int FROM servicebay.sync_run_pages p WHERE p.run_id = r.id) AS saved_pages
       FROM servicebay.sync_runs r WHERE r.org_id = $1 ORDER BY r.id DESC LIMIT 1`,
      [ORG],
    );
    return row;
  }

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    test(`${signal} mid-scan exits with code 5`, { timeout: 40_000 }, async () => {
      const cli = spawnSync();
      await cli.waitForLog("page committed", 3);

      const signalledAt = Date.now();
      cli.kill(signal);
      const exit = await cli.exited;

      expect(exit.code).toBe(5);
      expect(Date.now() - signalledAt).toBeLessThan(10_000);
      expect(cli.logs(STOP_LINE)).toHaveLength(1);
      expect(cli.logs("sync run ended early")[0]?.status).toBe("interrupted");
      // The message names the page write or the request that the stop cut short.
      expect(cli.stderr).toMatch(/interrupted by a stop request|cancelled because the sync run was stopped/);
    });

    test(`${signal} leaves an interrupted run with a checkpoint`, async () => {
      const run = await latestRun();

      expect(run?.status).toBe("interrupted");
      expect(run?.cursor).not.toBeNull();
      expect(run?.pages).toBeGreaterThanOrEqual(3);
      expect(run?.saved_pages).toBe(run?.pages);
    });

    test(`next sync resumes after ${signal}`, { timeout: 40_000 }, async () => {
      const interrupted = await latestRun();

      const result = await runCli(["sync"], env());

      expect(result.exit.code).toBe(0);
      const started = result.logs("sync run started")[0];
      expect(started?.resumed).toBe(true);
      expect(started?.runId).toBe(interrupted?.id);
      expect(started?.cursor).toBe(interrupted?.cursor);
      const comparison = await compareMirror(db.pool, ORG, listedTickets(sim), new Set());
      expect(comparison.missing).toEqual([]);
      expect(comparison.extra).toEqual([]);
      expect(comparison.inconsistentHistory).toBe(0);
    });
  }

  test("second signal exits at once", { timeout: 40_000 }, async () => {
    const cli = spawnSync();
    await cli.waitForLog("page committed", 2);
    await blockPageCommits();
    await waitForBlockedCommit();
    cli.kill("SIGTERM");
    await cli.waitForLog(STOP_LINE);
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    expect(cli.running).toBe(true);
    const signalledAt = Date.now();
    cli.kill("SIGTERM");
    const exit = await cli.exited;

    expect(exit.code).toBe(5);
    expect(Date.now() - signalledAt).toBeLessThan(2_000);
    expect(cli.logs("second stop signal received; exiting at once")).toHaveLength(1);
  });

  test("stuck page still exits within 10 s", { timeout: 40_000 }, async () => {
    await releaseTables();
    // Waits until the backend of the process stopped before has ended and freed the lock.
    const cli = spawnSync(["--wait"]);
    await cli.waitForLog("page committed", 2);
    await blockPageCommits();
    await waitForBlockedCommit();

    const signalledAt = Date.now();
    cli.kill("SIGTERM");
    const exit = await cli.exited;
    const stopMs = Date.now() - signalledAt;

    expect(exit.code).toBe(5);
    expect(stopMs).toBeLessThan(10_000);
    expect(cli.logs("the run did not stop in time; exiting")).toHaveLength(1);
  });

  test("sync after a stuck stop resumes", { timeout: 40_000 }, async () => {
    const stuck = await latestRun();
    await releaseTables();

    const result = await runCli(["sync", "--wait"], env());

    expect(result.exit.code).toBe(0);
    expect(result.logs("sync run started")[0]?.runId).toBe(stuck?.id);
    const comparison = await compareMirror(db.pool, ORG, listedTickets(sim), new Set());
    expect(comparison.missing).toEqual([]);
    expect(comparison.brokenHistory).toBe(0);
    expect(comparison.inconsistentHistory).toBe(0);
  });

  test("start with a stuck page exits within 10 s", { timeout: 40_000 }, async () => {
    const cli = new CliProcess(["start", "--run-now"], { ...env(), SYNC_SCHEDULE: "0 0 1 1 *" });
    running.push(cli);
    await cli.waitForLog("page committed", 2);
    await blockPageCommits();
    await waitForBlockedCommit();

    const signalledAt = Date.now();
    cli.kill("SIGTERM");
    const exit = await cli.exited;

    expect(exit.code).toBe(5);
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    expect(cli.logs("the run did not stop in time; exiting")).toHaveLength(1);
  });
});
