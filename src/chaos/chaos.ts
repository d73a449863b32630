import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";

import pg from "pg";
import { pino } from "pino";

import { startSimulator, type RunningSimulator } from "../simulator/index.js";
import { Random } from "../simulator/random.js";
import { compareMirror, type MirrorComparison } from "./verify.js";
import { WorkerProcess, type WorkerExit } from "./worker-process.js";

export interface ChaosOptions {
  /** A superuser connection string; the chaos run creates a scratch database there and drops it after. */
  adminDatabaseUrl: string;
  /** The built CLI, such as dist/cli.js. */
  cliPath: string;
  tickets: number;
  seed: number;
  /** Upper bound on `sync` processes started, killed ones included. */
  maxRuns: number;
  /** Upper bound on the chaos run's duration, in seconds; no new run starts after it. */
  maxSeconds: number;
  /** Receives one line per run, for progress output. */
  onProgress?: (line: string) => void;
}

/** Faults injected during the chaos run, by kind. */
export interface InjectedFaults {
  sigkill: number;
  databaseConnectionKill: number;
  /** Responses with status 500, 502 or 503. */
  serverError: number;
  /** Requests the simulator never responded to, so the worker's request timeout ended them. */
  hang: number;
  /** Responses with status 429, from the bursts. */
  rateLimited: number;
}

export interface ChaosReport {
  faults: InjectedFaults;
  /** `sync` processes started, killed and locked-out ones included. */
  runs: number;
  exitCodes: Record<string, number>;
  /** Retried Servicebay requests, counted from the log lines of every run. */
  retries: number;
  comparison: MirrorComparison;
  /** True when a run succeeded after the last fault and the last data change. */
  completed: boolean;
  durationSeconds: number;
  /** True when the run completed and the mirror has no missing, extra, falsely deleted or stale ticket and a consistent history. */
  passed: boolean;
}

const ORG_ID = "org_chaos";
const API_KEY = `sk_test_${"c".repeat(32)}`;
/** Exit code of `sync` when another run holds the organisation's lock. */
const EXIT_LOCKED = 3;

type PlannedFault =
  | { kind: "sigkill"; afterPages: number }
  | { kind: "sigkill"; afterMs: number }
  | { kind: "databaseConnectionKill"; afterPages: number };

/**
 * Runs the real CLI's `sync` repeatedly against a simulator with faults on (5% server errors,
 * 2% hanging requests, 429 bursts), kills the worker three times with SIGKILL, terminates its
 * database connection once and changes data between runs. Then it compares the database with
 * the simulator.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const startedAt = Date.now();
  const random = new Random(options.seed);
  const database = await createScratchDatabase(options.adminDatabaseUrl);
  const simulatorLog = new StatusCounter();
  const sim = await startSimulator(
    {
      seed: options.seed,
      rateLimitPerMinute: null,
      faults: { latencyMs: 10, serverErrorRate: 0.05, hangRate: 0.02 },
      organisations: [{ orgId: ORG_ID, apiKey: API_KEY, tickets: options.tickets }],
    },
    pino({ level: "debug" }, simulatorLog),
  );
  const workingDirectory = mkdtempSync(join(tmpdir(), "servicebay-sync-chaos-"));
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  pool.on("error", () => undefined);

  try {
    const pagesPerScan = Math.ceil(options.tickets / 100);
    const pageOfScan = () => 1 + random.int(Math.max(1, pagesPerScan - 2));
    const planned: PlannedFault[] = [
      { kind: "sigkill", afterPages: pageOfScan() },
      { kind: "databaseConnectionKill", afterPages: pageOfScan() },
      { kind: "sigkill", afterMs: 300 + random.int(2_000) },
      { kind: "sigkill", afterPages: pageOfScan() },
    ];
    const faults: InjectedFaults = { sigkill: 0, databaseConnectionKill: 0, serverError: 0, hang: 0, rateLimited: 0 };
    const exitCodes: Record<string, number> = {};
    const removed = new Set<string>();
    let runs = 0;
    let retries = 0;
    let lastChangeAt = 0;
    let completed = false;

    const env = {
      SERVICEBAY_BASE_URL: sim.url,
      SERVICEBAY_ORG_ID: ORG_ID,
      SERVICEBAY_API_KEY: API_KEY,
      DATABASE_URL: database.url,
      SYNC_REQUEST_TIMEOUT_SECONDS: "1",
      SYNC_MAX_RETRY_SECONDS: "60",
    };

    while (runs < options.maxRuns && Date.now() - startedAt < options.maxSeconds * 1000) {
      runs += 1;
      // Changes data before every second run, and starts a 429 burst before every third.
      if (runs % 2 === 0) lastChangeAt = changeData(sim, random, removed);
      if (runs % 3 === 2) sim.setFaults({ rateLimitBurst: 2 + random.int(3) });

      const fault = planned[0];
      const worker = new WorkerProcess(resolve(options.cliPath), workingDirectory, env);
      const injected = fault ? await inject(fault, worker, database.url) : false;
      const exit = await worker.exited;
      retries += worker.retries;
      const exitKey = describeExit(exit);
      exitCodes[exitKey] = (exitCodes[exitKey] ?? 0) + 1;

      if (fault && injected) {
        planned.shift();
        faults[fault.kind] += 1;
      }
      const injectedText = injected && fault ? `${describeFault(fault)}, ` : "";
      const errorText = worker.stderr.trim() === "" ? "" : `: ${worker.stderr.trim().split("\n").at(-1)}`;
      options.onProgress?.(`run ${runs}: ${injectedText}${exitKey}, ${worker.pagesCommitted} page(s), ${worker.retries} retries${errorText}`);

      if (exit.code === EXIT_LOCKED) await sleep(200);
      if (planned.length === 0 && exit.code === 0 && (await lastSuccessStartedAfter(pool, lastChangeAt))) {
        completed = true;
        break;
      }
    }

    faults.serverError = simulatorLog.count(500) + simulatorLog.count(502) + simulatorLog.count(503);
    faults.hang = simulatorLog.count("hang");
    faults.rateLimited = simulatorLog.count(429);

    const comparison = await compareMirror(pool, ORG_ID, listedTickets(sim), removed);
    const passed =
      completed &&
      comparison.missing.length === 0 &&
      comparison.extra.length === 0 &&
      comparison.falselyDeleted.length === 0 &&
      comparison.stale.length === 0 &&
      comparison.brokenHistory === 0 &&
      comparison.inconsistentHistory === 0;
    return { faults, runs, exitCodes, retries, comparison, completed, durationSeconds: (Date.now() - startedAt) / 1000, passed };
  } finally {
    await pool.end().catch(() => undefined);
    await sim.close();
    await database.drop();
    rmSync(workingDirectory, { recursive: true, force: true });
  }
}

/** Injects a planned fault into a running worker. Returns false when the worker ended first. */
async function inject(fault: PlannedFault, worker: WorkerProcess, databaseUrl: string): Promise<boolean> {
  if ("afterMs" in fault) {
    await Promise.race([sleep(fault.afterMs), worker.exited]);
  } else if (!(await worker.waitForPages(fault.afterPages))) {
    return false;
  }
  if (!worker.running) return false;

  if (fault.kind === "sigkill") {
    worker.kill("SIGKILL");
    return true;
  }
  return (await terminateWorkerConnections(databaseUrl)) > 0;
}

/** Terminates the worker's database sessions, found by its application_name. */
async function terminateWorkerConnections(databaseUrl: string): Promise<number> {
  const admin = new pg.Client({ connectionString: databaseUrl, application_name: "servicebay-sync-chaos" });
  await admin.connect();
  try {
    const result = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = 'servicebay-sync' AND pid <> pg_backend_pid()`,
    );
    return result.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

/**
 * Edits, removes and creates a few tickets anywhere in the list, far below the mass-delete
 * guard's limit. Returns the time of the change.
 */
function changeData(sim: RunningSimulator, random: Random, removed: Set<string>): number {
  const ids = [...sim.store.ids(ORG_ID)];
  for (let i = 0; i < 10; i += 1) {
    sim.store.update(ORG_ID, random.pick(ids), { status: random.pick(["Open", "In Progress", "Closed"]), serviceNotes: `chaos edit ${random.int(1e9)}` });
  }
  for (let i = 0; i < 5; i += 1) {
    const id = random.pick(ids);
    if (sim.store.remove(ORG_ID, id)) removed.add(id);
  }
  for (let i = 0; i < 5; i += 1) sim.store.create(ORG_ID, { serviceNotes: "created by the chaos run" });
  return Date.now();
}

/**
 * Returns whether the last successful run started its scan after `time`, so it saw every data
 * change. A resumed run keeps the start time of its first part.
 */
async function lastSuccessStartedAfter(pool: pg.Pool, time: number): Promise<boolean> {
  const result = await pool.query<{ started_at: Date }>(
    "SELECT started_at FROM servicebay.sync_runs WHERE org_id = $1 AND status = 'succeeded' ORDER BY id DESC LIMIT 1",
    [ORG_ID],
  );
  const startedAt = result.rows[0]?.started_at;
  return startedAt !== undefined && startedAt.getTime() > time;
}

function listedTickets(sim: RunningSimulator): Map<string, unknown> {
  const listed = new Map<string, unknown>();
  for (const ticket of sim.store.tickets(ORG_ID)) listed.set(String(ticket.id), ticket);
  return listed;
}

function describeExit(exit: WorkerExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit ${exit.code}`;
}

function describeFault(fault: PlannedFault): string {
  if (fault.kind === "databaseConnectionKill") return `database connection killed after page ${fault.afterPages}`;
  return "afterMs" in fault ? `SIGKILL after ${fault.afterMs} ms` : `SIGKILL after page ${fault.afterPages}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Counts the simulator's "simulator request" log lines by status: an HTTP status, "hang" or "reset". */
class StatusCounter extends Writable {
  readonly #counts = new Map<string, number>();

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString().split("\n")) {
      if (line.trim() === "") continue;
      const entry = JSON.parse(line) as { msg?: string; status?: unknown };
      if (entry.msg !== "simulator request") continue;
      const key = String(entry.status);
      this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    }
    done();
  }

  count(status: number | string): number {
    return this.#counts.get(String(status)) ?? 0;
  }
}

/** Creates an empty database for one chaos run on the server of `adminUrl`. */
async function createScratchDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `sbsync_chaos_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client(adminUrl);
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }

  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const dropper = new pg.Client(adminUrl);
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
