import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";

import { compareMirror } from "../src/chaos/verify.js";
import { startSimulator, type RunningSimulator } from "../src/simulator/index.js";
import { startScheduler } from "../src/worker/scheduler.js";
import type { SyncResult } from "../src/worker/sync-run.js";
import { CliProcess, runCli, syncEnv } from "./support/cli.js";
import { createTestDatabase, silentLogger, type TestDatabase } from "./support/database.js";
import { KEY, ORG, listedTickets } from "./support/harness.js";

/** Signs of a crash rather than a handled failure in a command's output. */
const CRASH_PATTERN = /Uncaught|Unhandled|node:internal|\n\s+at .+:\d+:\d+/;

/**
 * Terminates every backend of the worker (application_name servicebay-sync) on the test
 * database, as a restart or a network failure would. Returns how many it terminated.
 */
async function terminateWorkerBackends(db: TestDatabase): Promise<number> {
  const admin = new pg.Client({ connectionString: db.url, application_name: "servicebay-sync-test-admin" });
  await admin.connect();
  try {
    const result = await admin.query<{ terminated: boolean }>(
      `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = 'servicebay-sync' AND pid <> pg_backend_pid()`,
    );
    return result.rows.filter((row) => row.terminated).length;
  } finally {
    await admin.end();
  }
}

describe("database connection killed", () => {
  let db: TestDatabase;
  let sim: RunningSimulator;
  const running: CliProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    sim = await startSimulator({
      seed: 31, rateLimitPerMinute: null, faults: { latencyMs: 40 },
      organisations: [{ orgId: ORG, apiKey: KEY, tickets: 1500 }],
    });
  });
  afterEach(async () => {
    for (const cli of running.splice(0)) {
      cli.kill("SIGKILL");
      await cli.exited;
    }
  });
  afterAll(async () => {
    await sim?.close();
    await db?.drop();
  });

  const env = (extra: Record<string, string> = {}) => syncEnv({ baseUrl: sim.url, orgId: ORG, apiKey: KEY, databaseUrl: db.url }, extra);
  const spawn = (args: string[], extra: Record<string, string> = {}) => {
    const cli = new CliProcess(args, env(extra));
    running.push(cli);
    return cli;
  };

  async function latestRun() {
    const [row] = await db.query<{ id: number; status: string; error: string | null; pages: number }>(
      "SELECT id::int AS id, status, error, pages FROM servicebay.sync_runs WHERE org_id = $1 ORDER BY id DESC LIMIT 1",
      [ORG],
    );
    return row;
  }

  test("mid-run kill fails sync cleanly", { timeout: 30_000 }, async () => {
    const cli = spawn(["sync"]);
    await cli.waitForLog("page committed", 3);

    expect(await terminateWorkerBackends(db)).toBeGreaterThan(0);
    const exit = await cli.exited;

    expect(exit.code).toBe(1);
    expect(cli.logs("sync run ended early")[0]?.status).toBe("failed");
    expect(cli.stderr).toContain("servicebay-sync: ");
    expect(cli.output).not.toMatch(CRASH_PATTERN);
  });

  test("killed run is recorded as failed", async () => {
    const run = await latestRun();

    expect(run?.status).toBe("failed");
    // node-postgres reports the killed backend either with the server's message or as a
    // client that is no longer queryable, depending on when the query meets the dead socket.
    expect(run?.error).toMatch(/terminat|connection/i);
    expect(run?.pages).toBeGreaterThanOrEqual(3);
  });

  test("next sync resumes the killed run", { timeout: 30_000 }, async () => {
    const killed = await latestRun();

    const result = await runCli(["sync", "--wait"], env());

    expect(result.exit.code).toBe(0);
    expect(result.logs("sync run started")[0]?.runId).toBe(killed?.id);
    expect(result.logs("sync run started")[0]?.resumed).toBe(true);
    const comparison = await compareMirror(db.pool, ORG, listedTickets(sim), new Set());
    expect(comparison.missing).toEqual([]);
    expect(comparison.inconsistentHistory).toBe(0);
  });

  test("start survives its idle connections dying", { timeout: 30_000 }, async () => {
    // A schedule that does not fire during the test, so only --run-now runs.
    const cli = spawn(["start", "--run-now"], { SYNC_SCHEDULE: "0 0 1 1 *" });
    await cli.waitForLog("sync run finished");
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(await terminateWorkerBackends(db)).toBeGreaterThan(0);
    await cli.waitForLog("idle database connection failed");
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    expect(cli.running).toBe(true);
    cli.kill("SIGTERM");
    expect((await cli.exited).code).toBe(0);
    expect(cli.output).not.toMatch(CRASH_PATTERN);
  });

  test("start resumes after a killed run", { timeout: 40_000 }, async () => {
    sim.store.update(ORG, [...sim.store.ids(ORG)][0]!, { status: "Closed" });
    // Ticks every two seconds; a tick during a run is skipped.
    const cli = spawn(["start"], { SYNC_SCHEDULE: "*/2 * * * * *" });
    await cli.waitForLog("page committed", 3, 20_000);

    expect(await terminateWorkerBackends(db)).toBeGreaterThan(0);
    await cli.waitForLog("sync run ended early");
    await cli.waitForLog("sync run finished", 1, 30_000);

    const [killed, resumed] = cli.logs("sync run started");
    expect(cli.logs("sync run ended early")[0]?.status).toBe("failed");
    expect(resumed?.runId).toBe(killed?.runId);
    expect(resumed?.resumed).toBe(true);
    expect(cli.running).toBe(true);
    cli.kill("SIGTERM");
    expect((await cli.exited).code).toBe(0);
    expect(cli.output).not.toMatch(CRASH_PATTERN);
  });
});

describe("scheduler after a failed run", () => {
  const success: SyncResult = { outcome: "succeeded", runId: 2, resumed: true, counters: null, error: null, durationMs: 1 };

  test("keeps scheduling after runOnce throws", { timeout: 10_000 }, async () => {
    let calls = 0;
    const finished: SyncResult[] = [];
    const scheduler = startScheduler({
      expression: "* * * * * *",
      timezone: "UTC",
      logger: silentLogger,
      runNow: true,
      runOnce: async () => {
        calls += 1;
        if (calls === 1) throw new Error("Connection terminated unexpectedly");
        return success;
      },
      onRunFinished: (result) => finished.push(result),
    });

    const deadline = Date.now() + 5_000;
    while (finished.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await scheduler.stop();

    expect(calls).toBeGreaterThanOrEqual(2);
    expect(finished[0]).toEqual(success);
    expect(scheduler.isRunning()).toBe(false);
  });

  test("keeps scheduling after a failed result", { timeout: 10_000 }, async () => {
    const outcomes: SyncResult["outcome"][] = ["failed", "succeeded"];
    const finished: SyncResult[] = [];
    const scheduler = startScheduler({
      expression: "* * * * * *",
      timezone: "UTC",
      logger: silentLogger,
      runNow: true,
      runOnce: async () => ({ ...success, outcome: outcomes.shift() ?? "succeeded" }),
      onRunFinished: (result) => finished.push(result),
    });

    const deadline = Date.now() + 5_000;
    while (finished.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await scheduler.stop();

    expect(finished.map((result) => result.outcome).slice(0, 2)).toEqual(["failed", "succeeded"]);
  });
});
