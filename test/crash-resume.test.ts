import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { compareMirror, type MirrorComparison } from "../src/chaos/verify.js";
import { startSimulator, type RunningSimulator } from "../src/simulator/index.js";
import { Random } from "../src/simulator/random.js";
import { CliProcess, runCli, syncEnv } from "./support/cli.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { KEY, ORG, listedTickets } from "./support/harness.js";

const KILLS = 20;
/** 50 pages of 100, so 20 kills after one or two committed pages each stay inside one scan. */
const TICKETS = 5000;
const SEED = 20_240_611;

describe("sync killed with SIGKILL twenty times", () => {
  let db: TestDatabase;
  let sim: RunningSimulator;
  // Seeded, so a failing sequence of kills and changes can be replayed.
  const seeded = new Random(SEED);
  const random = (below: number) => seeded.int(below);
  const removed = new Set<string>();
  const started: { runId: number; resumed: boolean; resumeCount: number }[] = [];
  let afterResume: MirrorComparison;

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    // The latency makes a page take tens of milliseconds, so kills land mid-fetch and mid-commit.
    sim = await startSimulator({
      seed: SEED, rateLimitPerMinute: null, faults: { latencyMs: 15 },
      organisations: [{ orgId: ORG, apiKey: KEY, tickets: TICKETS }],
    });
  });
  afterAll(async () => {
    await sim?.close();
    await db?.drop();
  });

  const env = () => syncEnv({ baseUrl: sim.url, orgId: ORG, apiKey: KEY, databaseUrl: db.url });

  /** Edits, removes and creates a few tickets anywhere in the list, ahead of or behind the cursor. */
  function changeData(): void {
    const ids = [...sim.store.ids(ORG)];
    for (let i = 0; i < 5; i += 1) {
      sim.store.update(ORG, ids[random(ids.length)]!, { status: "Closed", serviceNotes: `edited ${random(1e9)}` });
    }
    for (let i = 0; i < 3; i += 1) {
      const id = ids[random(ids.length)]!;
      if (sim.store.remove(ORG, id)) removed.add(id);
    }
    for (let i = 0; i < 3; i += 1) sim.store.create(ORG, { serviceNotes: "created between kills" });
  }

  /** Starts `sync` and kills it after its k-th committed page plus a random delay. */
  async function syncAndKill(pagesBeforeKill: number): Promise<CliProcess> {
    for (;;) {
      const cli = new CliProcess(["sync"], env());
      try {
        await cli.waitForLog("page committed", pagesBeforeKill);
      } catch (error) {
        const exit = await cli.exited;
        // The backend of the process killed just before may still hold the advisory lock.
        if (exit.code === 3) continue;
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, random(30)));
      cli.kill("SIGKILL");
      await cli.exited;
      return cli;
    }
  }

  test("each kill is resumed by the next sync", { timeout: 90_000 }, async () => {
    for (let kill = 1; kill <= KILLS; kill += 1) {
      if (kill % 4 === 0) changeData();
      const cli = await syncAndKill(1 + random(2));

      expect(cli.child.signalCode).toBe("SIGKILL");
      const [line] = cli.logs("sync run started");
      started.push({ runId: Number(line?.runId), resumed: line?.resumed === true, resumeCount: Number(line?.resumeCount) });
    }
    changeData();

    const final = await runCli(["sync", "--wait"], env());

    expect(final.exit.code).toBe(0);
    const [line] = final.logs("sync run started");
    started.push({ runId: Number(line?.runId), resumed: line?.resumed === true, resumeCount: Number(line?.resumeCount) });
    afterResume = await compareMirror(db.pool, ORG, listedTickets(sim), removed);
  });

  test("all parts belong to one run", () => {
    expect(new Set(started.map((part) => part.runId)).size).toBe(1);
    expect(started.map((part) => part.resumed)).toEqual([false, ...Array<boolean>(KILLS).fill(true)]);
    expect(started.at(-1)?.resumeCount).toBe(KILLS);
  });

  test("sync_runs shows one run resumed twenty times", async () => {
    const runs = await db.query<{ status: string; resume_count: number; deletion_check: string }>(
      "SELECT status, resume_count, deletion_check FROM servicebay.sync_runs WHERE org_id = $1",
      [ORG],
    );

    expect(runs).toEqual([{ status: "succeeded", resume_count: KILLS, deletion_check: "applied" }]);
  });

  test("resumed run deleted nothing falsely", () => {
    expect(afterResume.falselyDeleted).toEqual([]);
  });

  test("resumed run left history consistent", () => {
    expect(afterResume.brokenHistory).toBe(0);
    expect(afterResume.inconsistentHistory).toBe(0);
  });

  test("next full sync matches the simulator exactly", async () => {
    const result = await runCli(["sync"], env());
    const comparison = await compareMirror(db.pool, ORG, listedTickets(sim), removed);

    expect(result.exit.code).toBe(0);
    expect(comparison.missing).toEqual([]);
    expect(comparison.extra).toEqual([]);
    expect(comparison.falselyDeleted).toEqual([]);
    expect(comparison.stale).toEqual([]);
    expect(comparison.stored).toBe(comparison.expected);
    expect(comparison.brokenHistory).toBe(0);
    expect(comparison.inconsistentHistory).toBe(0);
  });

  test("every removed ticket is marked deleted", async () => {
    const rows = await db.query<{ id: string }>(
      "SELECT id FROM servicebay.tickets WHERE org_id = $1 AND deleted_at IS NOT NULL ORDER BY id",
      [ORG],
    );
    const stored = new Set((await db.query<{ id: string }>("SELECT id FROM servicebay.tickets WHERE org_id = $1", [ORG])).map((row) => row.id));

    expect(rows.map((row) => row.id)).toEqual([...removed].filter((id) => stored.has(id)).sort());
  });
});
