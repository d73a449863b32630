import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";

import { startSimulator, type RunningSimulator } from "../src/simulator/index.js";
import { CliProcess, runCli, syncEnv } from "./support/cli.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { KEY, ORG, syncWith } from "./support/harness.js";

/** Runs of the organisation whose intervals overlap another run's: never allowed. */
const OVERLAPPING_RUNS_SQL = `
  SELECT a.id AS first, b.id AS second
  FROM servicebay.sync_runs a
  JOIN servicebay.sync_runs b ON a.org_id = b.org_id AND a.id < b.id
  WHERE a.org_id = $1 AND b.started_at < coalesce(a.finished_at, 'infinity')`;

async function runCount(db: TestDatabase): Promise<number> {
  const [row] = await db.query<{ runs: number }>("SELECT count(*)::int AS runs FROM servicebay.sync_runs WHERE org_id = $1", [ORG]);
  return row?.runs ?? -1;
}

describe("one writer per organisation", () => {
  let db: TestDatabase;
  let sim: RunningSimulator;
  const running: CliProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    // About 20 pages of 80 ms each, so a run lasts long enough for others to collide with it.
    sim = await startSimulator({
      seed: 11, rateLimitPerMinute: null, faults: { latencyMs: 80 },
      organisations: [{ orgId: ORG, apiKey: KEY, tickets: 2000 }],
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

  test("second sync exits at once with code 3", { timeout: 40_000 }, async () => {
    const first = spawn(["sync"]);
    await first.waitForLog("sync run started");
    const startedAt = Date.now();

    const second = await runCli(["sync"], env());
    const secondMs = Date.now() - startedAt;

    expect(second.exit.code).toBe(3);
    expect(second.stderr).toContain(`Another sync run of organisation ${ORG} is in progress; this one was skipped.`);
    expect(second.logs("another sync run of this organisation holds the lock; skipping")).toHaveLength(1);
    expect(second.logs("sync run started")).toHaveLength(0);
    // Node.js start-up and the migration check only; the first run is still going.
    expect(secondMs).toBeLessThan(5_000);
    expect(first.running).toBe(true);
    expect((await first.exited).code).toBe(0);
  });

  test("sync --wait starts after the running sync", { timeout: 40_000 }, async () => {
    const first = spawn(["sync"]);
    await first.waitForLog("sync run started");

    const waiting = await runCli(["sync", "--wait"], env());
    const firstExit = await first.exited;

    expect(firstExit.code).toBe(0);
    expect(waiting.exit.code).toBe(0);
    const firstFinished = Number(first.logs("sync run finished")[0]?.time);
    const waitingStarted = Number(waiting.logs("sync run started")[0]?.time);
    expect(waitingStarted).toBeGreaterThanOrEqual(firstFinished);
    expect(await db.query(OVERLAPPING_RUNS_SQL, [ORG])).toEqual([]);
  });

  test("two start replicas never overlap", { timeout: 40_000 }, async () => {
    const runsBefore = await runCount(db);
    // A schedule that does not fire during the test, so only --run-now runs.
    const replicas = [0, 1].map(() => spawn(["start", "--run-now"], { SYNC_SCHEDULE: "0 0 1 1 *" }));
    const ended = (cli: CliProcess) => cli.logs("sync run finished").length + cli.logs("another sync run of this organisation holds the lock; skipping").length > 0;

    for (const replica of replicas) await replica.waitFor(() => ended(replica), "the end of the first run", 30_000);
    for (const replica of replicas) replica.kill("SIGTERM");
    const exits = await Promise.all(replicas.map((replica) => replica.exited));

    expect(exits.map((exit) => exit.code)).toEqual([0, 0]);
    const started = replicas.flatMap((replica) => replica.logs("sync run started"));
    const skipped = replicas.flatMap((replica) => replica.logs("another sync run of this organisation holds the lock; skipping"));
    expect(started).toHaveLength(1);
    expect(skipped).toHaveLength(1);
    expect(await runCount(db)).toBe(runsBefore + 1);
    expect(await db.query(OVERLAPPING_RUNS_SQL, [ORG])).toEqual([]);
  });

  test("concurrent runSync calls: one runs, four skip", { timeout: 40_000 }, async () => {
    sim.setFaults({ latencyMs: 5 });
    const runsBefore = await runCount(db);

    const results = await Promise.all(Array.from({ length: 5 }, () => syncWith(db, sim)));

    expect(results.map((result) => result.outcome).sort()).toEqual(["locked", "locked", "locked", "locked", "succeeded"]);
    expect(await runCount(db)).toBe(runsBefore + 1);
  });

  test("concurrent waiting runSync calls take turns", { timeout: 40_000 }, async () => {
    const runsBefore = await runCount(db);

    const results = await Promise.all(Array.from({ length: 3 }, () => syncWith(db, sim, { waitForLock: true })));

    expect(results.map((result) => result.outcome)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(await runCount(db)).toBe(runsBefore + 3);
    expect(await db.query(OVERLAPPING_RUNS_SQL, [ORG])).toEqual([]);
  });
});

describe("mass-delete guard through the CLI", () => {
  let db: TestDatabase;
  let sim: RunningSimulator;

  beforeAll(async () => {
    db = await createTestDatabase();
    sim = await startSimulator({ seed: 12, rateLimitPerMinute: null, organisations: [{ orgId: ORG, apiKey: KEY, tickets: 300 }] });
  });
  afterAll(async () => {
    await sim?.close();
    await db?.drop();
  });

  const env = () => syncEnv({ baseUrl: sim.url, orgId: ORG, apiKey: KEY, databaseUrl: db.url });
  const deletedCount = async () => {
    const [row] = await db.query<{ deleted: number }>("SELECT count(*)::int AS deleted FROM servicebay.tickets WHERE deleted_at IS NOT NULL");
    return row?.deleted ?? -1;
  };

  test("baseline sync exits with 0", { timeout: 30_000 }, async () => {
    expect((await runCli(["sync"], env())).exit.code).toBe(0);
  });

  test("needs review exits with code 4", { timeout: 30_000 }, async () => {
    for (const id of [...sim.store.ids(ORG)].slice(0, 200)) sim.store.remove(ORG, id);

    const result = await runCli(["sync"], env());

    expect(result.exit.code).toBe(4);
    expect(result.stderr).toContain("would soft-delete 200 of 300 live tickets");
    expect(result.stderr).toContain("--allow-mass-delete");
    expect(result.logs("sync run needs review: mass deletion held back")).toHaveLength(1);
    expect(await deletedCount()).toBe(0);
  });

  test("--allow-mass-delete applies the deletions", { timeout: 30_000 }, async () => {
    const result = await runCli(["sync", "--allow-mass-delete"], env());

    expect(result.exit.code).toBe(0);
    expect(result.logs("sync run finished")[0]?.deleted).toBe(200);
    expect(await deletedCount()).toBe(200);
  });
});
