import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

import type pg from "pg";

import { startEmbeddedPostgres, type EmbeddedDatabase } from "../db/embedded.js";
import { runMigrations } from "../db/migrate.js";
import { createPool } from "../db/pool.js";
import { EXIT_CODES } from "../exit-codes.js";
import { createLogger } from "../logger.js";
import { DEFAULT_API_KEY, DEFAULT_ORG_ID, startSimulator } from "../simulator/index.js";
import type { RunningSimulator } from "../simulator/types.js";
import { runSync, type SyncResult } from "../worker/sync-run.js";

const DEMO_SEED = 42;

/**
 * Runs `servicebay-sync demo`: an embedded PostgreSQL and the simulator, a first sync, a round
 * of changes on the simulated API, a second sync, and a few figures read from the tables.
 */
export async function demoCommand(options: { tickets: number; keep: boolean; dataDir: string }): Promise<number> {
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? "warn" });
  const dataDir = resolve(options.dataDir);
  const say = (line = "") => process.stdout.write(`${line}\n`);

  if (!isEmptyOrCluster(dataDir)) {
    process.stderr.write(
      `servicebay-sync: ${dataDir} exists and is not a PostgreSQL data folder from an earlier demo; ` +
        `the demo deletes its data folder at the end, so pass --data-dir with a new or empty folder.\n`,
    );
    return EXIT_CODES.configError;
  }
  const runningPid = livePostmasterPid(dataDir);
  if (runningPid !== null) {
    process.stderr.write(
      `servicebay-sync: a PostgreSQL server from an earlier demo (PID ${runningPid}) still uses ${dataDir}. ` +
        `Stop it with "kill ${runningPid}" or pass another --data-dir.\n`,
    );
    return EXIT_CODES.failure;
  }

  // Set before anything starts, so Ctrl+C at any point stops what the demo started and
  // removes its data.
  let database: EmbeddedDatabase | undefined;
  let simulator: RunningSimulator | undefined;
  let pool: pg.Pool | undefined;
  let cleaned: Promise<void> | null = null;
  const cleanUp = () => {
    cleaned ??= (async () => {
      await pool?.end().catch(() => undefined);
      await simulator?.close();
      await database?.stop().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    })();
    return cleaned;
  };
  const stopEarly = () => void cleanUp().finally(() => process.exit(EXIT_CODES.interrupted));
  process.once("SIGINT", stopEarly);
  process.once("SIGTERM", stopEarly);

  // The folder belongs to the demo: each demo starts from an empty cluster.
  rmSync(dataDir, { recursive: true, force: true });
  say(`Starting an embedded PostgreSQL in ${dataDir} ...`);
  database = await startEmbeddedPostgres({ dataDir });
  simulator = await startSimulator({ seed: DEMO_SEED, organisations: [{ orgId: DEFAULT_ORG_ID, apiKey: DEFAULT_API_KEY, tickets: options.tickets }] });
  say(`Simulated Servicebay API with ${options.tickets} jobs at ${simulator.url}`);
  // Stopping the embedded server may still reach a closing connection; that warning would
  // only confuse a demo, so the pool logs errors only.
  pool = createPool(database.url, logger.child({}, { level: "error" }));

  try {
    await runMigrations(pool, logger);
    const sync = () =>
      runSync({
        pool, logger, orgId: DEFAULT_ORG_ID,
        api: { baseUrl: simulator.url, apiKey: DEFAULT_API_KEY },
        resumeMaxAgeMs: 24 * 3_600_000, maxDeleteFraction: 0.5,
      });

    say("\nFirst sync: every job is new.");
    const first = await sync();
    printRun(say, first);
    if (first.outcome !== "succeeded") return EXIT_CODES.failure;

    const changes = changeSimulatedJobs(simulator);
    say(`\nChanged the simulated jobs: closed ${changes.closed}, edited ${changes.edited}, deleted ${changes.deleted}, created ${changes.created}.`);

    say("\nSecond sync: only the changes are written.");
    const second = await sync();
    printRun(say, second);
    if (second.outcome !== "succeeded") return EXIT_CODES.failure;

    await printAnswers(say, pool);
    if (options.keep) {
      say(`\nConnection string: ${database.url}`);
      say("PostgreSQL keeps running; open it with psql using the connection string above. Press Ctrl+C to stop.");
      process.off("SIGINT", stopEarly);
      process.off("SIGTERM", stopEarly);
      await new Promise<void>((resolveStop) => {
        process.once("SIGINT", () => resolveStop());
        process.once("SIGTERM", () => resolveStop());
      });
    }
    return EXIT_CODES.success;
  } finally {
    process.off("SIGINT", stopEarly);
    process.off("SIGTERM", stopEarly);
    await cleanUp();
  }
}

/** Tells whether the folder is missing, empty, or a PostgreSQL cluster, the only kinds the demo removes. */
function isEmptyOrCluster(dataDir: string): boolean {
  if (!existsSync(dataDir)) return true;
  if (!statSync(dataDir).isDirectory()) return false;
  return readdirSync(dataDir).length === 0 || existsSync(join(dataDir, "PG_VERSION"));
}

/** Returns the PID of a PostgreSQL server that still runs on the folder, or null. */
function livePostmasterPid(dataDir: string): number | null {
  const pidFile = join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;

  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

function printRun(say: (line?: string) => void, result: SyncResult): void {
  const counters = result.counters;
  say(`  outcome: ${result.outcome}${result.error ? ` (${result.error})` : ""}`);
  if (!counters) return;
  say(`  pages ${counters.pages}, requests ${counters.requests}, jobs listed ${counters.ticketsSeen}`);
  say(`  inserted ${counters.inserted}, updated ${counters.updated}, unchanged ${counters.unchanged}, deleted ${counters.deleted}, undeleted ${counters.undeleted}`);
  say(`  took ${(result.durationMs / 1000).toFixed(1)} s`);
}

/** Closes, edits, deletes and creates a few jobs, as a day of work in Servicebay would. */
function changeSimulatedJobs(simulator: RunningSimulator): { closed: number; edited: number; deleted: number; created: number } {
  const { store } = simulator;
  const ids = [...store.ids(DEFAULT_ORG_ID)];
  const counts = { closed: 0, edited: 0, deleted: 0, created: 0 };
  const now = new Date().toISOString();

  for (const [index, id] of ids.entries()) {
    const ticket = store.get(DEFAULT_ORG_ID, id);
    if (!ticket) continue;
    if (index % 23 === 0 && ticket.status !== "Closed") {
      store.update(DEFAULT_ORG_ID, id, { status: "Closed", ticketClosedTimestamp: now });
      counts.closed += 1;
    } else if (index % 31 === 0) {
      store.update(DEFAULT_ORG_ID, id, { serviceNotes: `${String(ticket.serviceNotes ?? "")}\nCustomer called back.` });
      counts.edited += 1;
    } else if (index % 97 === 0) {
      store.remove(DEFAULT_ORG_ID, id);
      counts.deleted += 1;
    }
  }
  for (let index = 0; index < 25; index += 1) {
    store.create(DEFAULT_ORG_ID, { status: "Open", timestamp: now });
    counts.created += 1;
  }
  return counts;
}

async function printAnswers(say: (line?: string) => void, pool: import("pg").Pool): Promise<void> {
  const result = await pool.query<{ open: number; deleted: number; versions: number; median_hours: number | null }>(
    `SELECT
       (SELECT count(*)::int FROM servicebay.tickets WHERE deleted_at IS NULL AND status = 'Open') AS open,
       (SELECT count(*)::int FROM servicebay.tickets WHERE deleted_at IS NOT NULL) AS deleted,
       (SELECT count(*)::int FROM servicebay.ticket_versions) AS versions,
       (SELECT round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - created_at)) / 3600)::numeric, 1)::float8
          FROM servicebay.tickets
          WHERE deleted_at IS NULL AND closed_at IS NOT NULL AND created_at IS NOT NULL AND closed_at >= created_at) AS median_hours`,
  );
  const answers = result.rows[0];
  if (!answers) return;
  say("\nAnswers from the tables:");
  say(`  open jobs: ${answers.open}`);
  say(`  jobs deleted in Servicebay (kept with deleted_at): ${answers.deleted}`);
  say(`  versions in history: ${answers.versions}`);
  say(`  median hours to close: ${answers.median_hours ?? "n/a"}`);
}
