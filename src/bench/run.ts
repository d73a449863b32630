/**
 * `npm run bench`: measures a full sync against the simulator in separate processes and prints
 * the figures beside the lower bound of fetching the same pages. See docs/benchmarks.md.
 *
 * Options: --tickets N (default 100000), --latency-ms L (default 20), --seed S (default 1),
 * --scenarios a,b (default all: fetch-only,initial,no-change,changed,database),
 * --cpu-prof (profile the worker of the initial sync), --output FILE (default bench/results.json).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";

import { redactDatabaseUrl } from "../config.js";
import { createBenchDatabase, openBenchServer, readWriteStats, subtractWriteStats, timePlainCopy, withClient, type BenchServer } from "./database.js";
import { mutateSimulator } from "./mutate.js";
import { findLogRecord, parseJsonLine, runFetchOnlyProcess, runWorkerProcess, startSimulatorProcess, type ChildRun } from "./processes.js";
import { summariseCpuProfile } from "./profile.js";
import { formatResults, type BenchResults, type DatabaseThroughput, type ScenarioResult, type TargetCheck } from "./report.js";

const SCENARIOS = ["fetch-only", "initial", "no-change", "changed", "database"] as const;
type Scenario = (typeof SCENARIOS)[number];

interface BenchOptions {
  tickets: number;
  latencyMs: number;
  seed: number;
  scenarios: Set<Scenario>;
  cpuProfile: boolean;
  output: string;
  psql: string;
}

const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

/** Cleanups of everything started so far, run in reverse order at the end or on SIGINT or SIGTERM. */
const cleanups: (() => Promise<unknown>)[] = [];

async function cleanUp(): Promise<void> {
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop()!;
    await cleanup().catch((error: unknown) => log(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`));
  }
}

function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      tickets: { type: "string", default: "100000" },
      "latency-ms": { type: "string", default: "20" },
      seed: { type: "string", default: "1" },
      scenarios: { type: "string", default: SCENARIOS.join(",") },
      "cpu-prof": { type: "boolean", default: false },
      output: { type: "string", default: "bench/results.json" },
    },
  });

  const integer = (name: string, value: string, min: number, max: number): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max) {
      throw new Error(`Invalid --${name} ${value}: expected an integer from ${min} to ${max}.`);
    }
    return number;
  };
  const scenarios = new Set<Scenario>();
  for (const name of values.scenarios.split(",").map((part) => part.trim())) {
    if (!(SCENARIOS as readonly string[]).includes(name)) {
      throw new Error(`Invalid scenario ${JSON.stringify(name)} in --scenarios: expected some of ${SCENARIOS.join(", ")}.`);
    }
    scenarios.add(name as Scenario);
  }
  // The re-syncs compare with what the initial sync stored in the same database.
  for (const resync of ["no-change", "changed"] as const) {
    if (scenarios.has(resync) && !scenarios.has("initial")) {
      throw new Error(`Invalid --scenarios: ${resync} needs initial in the same run, as in --scenarios initial,${resync}.`);
    }
  }

  return {
    tickets: integer("tickets", values.tickets, 1, 10_000_000),
    latencyMs: integer("latency-ms", values["latency-ms"], 0, 60_000),
    seed: integer("seed", values.seed, 0, 2 ** 31 - 1),
    scenarios,
    cpuProfile: values["cpu-prof"],
    output: resolve(values.output),
    psql: process.env.PSQL ?? "psql",
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const startedAt = new Date();
  const load = loadavg();
  log(`${options.tickets} tickets, latency ${options.latencyMs} ms, load average ${load.map((value) => value.toFixed(2)).join(" ")}`);

  const server = await openBenchServer(log);
  cleanups.push(() => server.stop());
  log(`database server: ${server.source === "embedded" ? "embedded PostgreSQL" : `${server.source} (${redactDatabaseUrl(server.adminUrl)})`}`);

  const scenarios: ScenarioResult[] = [];
  const syncs = await runApiScenarios(server, options, scenarios);
  const database = options.scenarios.has("database") ? await runDatabaseScenario(server, options) : null;

  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim(),
    machine: await describeMachine(server, load),
    options: { tickets: options.tickets, latencyMs: options.latencyMs, seed: options.seed },
    scenarios,
    database,
    targets: checkTargets(options, scenarios, database, syncs),
  };

  mkdirSync(dirname(options.output), { recursive: true });
  writeFileSync(options.output, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${formatResults(results)}\n\nresults written to ${options.output}\n`);
}

/** Runs the scenarios against the simulator at the configured latency, in order, on one database. */
async function runApiScenarios(server: BenchServer, options: BenchOptions, scenarios: ScenarioResult[]): Promise<Map<Scenario, ChildRun>> {
  const syncs = new Map<Scenario, ChildRun>();
  const wanted = [...options.scenarios].filter((name) => name !== "database");
  if (wanted.length === 0) return syncs;

  const simulator = await startSimulatorProcess({ tickets: options.tickets, latencyMs: options.latencyMs, seed: options.seed });
  cleanups.push(() => simulator.stop());
  log(`simulator listening at ${simulator.url}`);

  // Fetch-only runs before and after the syncs, and their mean is the bound, which evens out
  // some of the drift of a shared machine.
  const fetchRuns: ChildRun[] = [];
  const fetchOnly = async (): Promise<void> => {
    log("fetch-only scan");
    fetchRuns.push(checkExit(await runFetchOnlyProcess(simulator.url), "fetch-only"));
  };
  if (options.scenarios.has("fetch-only")) await fetchOnly();

  const database = await createBenchDatabase(server);
  cleanups.push(() => database.drop());
  // Outside the repository, so profiles are never committed by accident; the path is printed.
  const profileDir = options.cpuProfile ? mkdtempSync(join(tmpdir(), "servicebay-bench-profile-")) : undefined;

  for (const name of ["initial", "no-change", "changed"] as const) {
    if (!options.scenarios.has(name)) continue;
    if (name === "changed") {
      const mutation = await mutateSimulator(simulator.url, database.url);
      log(`changed ${mutation.updated} and deleted ${mutation.deleted} tickets in the simulator`);
    }

    log(`${name} sync`);
    const before = await readWriteStats(database.url);
    const run = checkExit(await runWorkerProcess({
      simulatorUrl: simulator.url,
      databaseUrl: database.url,
      ...(name === "initial" && profileDir ? { cpuProfileDir: profileDir } : {}),
    }), `${name} sync`);
    const writes = subtractWriteStats(await readWriteStats(database.url), before);
    syncs.set(name, run);
    scenarios.push(syncScenario(name, run, writes));
  }

  if (options.scenarios.has("fetch-only")) {
    await fetchOnly();
    scenarios.unshift(fetchOnlyScenario(fetchRuns));
    const boundMs = scenarios[0]!.wallSeconds * 1000;
    for (const scenario of scenarios.slice(1)) scenario.ratioToFetchOnly = (scenario.wallSeconds * 1000) / boundMs;
  }
  if (profileDir) printProfile(profileDir);
  return syncs;
}

/** Runs the initial sync at latency 0 on a fresh database, then plain COPYs of the rows it wrote. */
async function runDatabaseScenario(server: BenchServer, options: BenchOptions): Promise<DatabaseThroughput> {
  const simulator = await startSimulatorProcess({ tickets: options.tickets, latencyMs: 0, seed: options.seed });
  cleanups.push(() => simulator.stop());
  const database = await createBenchDatabase(server);
  cleanups.push(() => database.drop());

  log("initial sync at latency 0");
  const run = checkExit(await runWorkerProcess({ simulatorUrl: simulator.url, databaseUrl: database.url }), "initial sync at latency 0");
  const scan = findLogRecord(run, "scan finished");
  const finished = findLogRecord(run, "sync run finished");
  const tickets = Number(finished?.ticketsSeen);
  const writeMs = Number(scan?.writeMs);
  const runMs = Number(finished?.runDurationMs);

  let copy = null;
  if (hasPsql(options.psql)) {
    log("plain COPY of the same rows");
    copy = await timePlainCopy(database.url, options.psql);
  } else {
    log(`psql not found (${options.psql}); set PSQL to its path to measure the plain COPY`);
  }

  const syncTicketsPerSecond = tickets / (writeMs / 1000);
  return {
    tickets,
    syncTicketsPerSecond,
    endToEndTicketsPerSecond: tickets / (runMs / 1000),
    copy,
    ratioToCopy: copy ? syncTicketsPerSecond / copy.rowsPerSecond : null,
    ratioToCopyWithVersions: copy ? syncTicketsPerSecond / copy.withVersions.jobsPerSecond : null,
  };
}

function checkExit(run: ChildRun, what: string): ChildRun {
  if (run.exitCode !== 0) {
    throw new Error(`The ${what} process exited with code ${run.exitCode}: ${run.stderr.slice(-2000)}${run.lines.slice(-5).join("\n")}`);
  }
  return run;
}

function fetchOnlyScenario(runs: ChildRun[]): ScenarioResult {
  const reports = runs.map((run) => parseJsonLine(run.lines.at(-1) ?? "") ?? {});
  const wallSeconds = runs.reduce((sum, run) => sum + run.wallMs, 0) / runs.length / 1000;
  const tickets = Number(reports[0]?.tickets);
  log(`fetch-only wall seconds: ${runs.map((run) => (run.wallMs / 1000).toFixed(2)).join(", ")}`);
  return {
    name: "fetch-only",
    wallSeconds,
    requests: Number(reports[0]?.requests),
    tickets,
    ticketsPerSecond: tickets / wallSeconds,
    writes: null,
    peakRssMb: Math.max(...runs.map((run) => (run.maxRssKb ?? 0) / 1024)),
    cpuSeconds: runs.every((run) => run.cpuMs !== null) ? runs.reduce((sum, run) => sum + run.cpuMs!, 0) / runs.length / 1000 : null,
    ratioToFetchOnly: 1,
  };
}

function syncScenario(name: string, run: ChildRun, writes: ScenarioResult["writes"]): ScenarioResult {
  const finished = findLogRecord(run, "sync run finished") ?? {};
  const scan = findLogRecord(run, "scan finished") ?? {};
  const tickets = Number(finished.ticketsSeen);
  const wallSeconds = run.wallMs / 1000;
  return {
    name: `${name} sync`,
    wallSeconds,
    requests: Number(finished.requests),
    tickets,
    ticketsPerSecond: tickets / wallSeconds,
    writes,
    peakRssMb: run.maxRssKb === null ? null : run.maxRssKb / 1024,
    cpuSeconds: run.cpuMs === null ? null : run.cpuMs / 1000,
    ratioToFetchOnly: null,
    worker: {
      runSeconds: Number(finished.runDurationMs) / 1000,
      scanSeconds: Number(scan.scanMs) / 1000,
      fetchWaitSeconds: Number(scan.fetchWaitMs) / 1000,
      writeSeconds: Number(scan.writeMs) / 1000,
      inserted: Number(finished.inserted),
      updated: Number(finished.updated),
      unchanged: Number(finished.unchanged),
      deleted: Number(finished.deleted),
      rateLimited: Number(finished.rateLimited),
    },
  };
}

function checkTargets(options: BenchOptions, scenarios: ScenarioResult[], database: DatabaseThroughput | null, syncs: Map<Scenario, ChildRun>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const byName = new Map(scenarios.map((scenario) => [scenario.name, scenario]));
  const ratio = (name: string): number | null => byName.get(name)?.ratioToFetchOnly ?? null;

  const initial = ratio("initial sync");
  if (initial !== null) checks.push({ target: "initial sync / fetch-only <= 1.10", measured: initial.toFixed(3), met: initial <= 1.1 });

  const noChange = byName.get("no-change sync");
  if (noChange?.ratioToFetchOnly != null && noChange.writes) {
    const rows = noChange.writes.tickets.inserted + noChange.writes.tickets.updated + noChange.writes.ticket_versions.inserted + noChange.writes.ticket_versions.updated;
    checks.push({ target: "no-change re-sync / fetch-only <= 1.05", measured: noChange.ratioToFetchOnly.toFixed(3), met: noChange.ratioToFetchOnly <= 1.05 });
    checks.push({ target: "no-change re-sync writes 0 ticket and version rows", measured: String(rows), met: rows === 0 });
  }

  if (database?.ratioToCopy != null) {
    checks.push({ target: "page commits at latency 0 >= 0.5 x plain COPY", measured: database.ratioToCopy.toFixed(3), met: database.ratioToCopy >= 0.5 });
  }

  const peaks = scenarios.filter((scenario) => scenario.name !== "fetch-only" && scenario.peakRssMb !== null).map((scenario) => scenario.peakRssMb!);
  if (peaks.length > 0) {
    const peak = Math.max(...peaks);
    checks.push({ target: "worker peak RSS < 200 MB", measured: `${peak.toFixed(1)} MB`, met: peak < 200 });
  }

  for (const [name, run] of syncs) {
    const finished = findLogRecord(run, "sync run finished") ?? {};
    const listed = Number(finished.ticketsSeen);
    const limit = Math.ceil(listed / 100) + 1;
    const requests = Number(finished.requests);
    checks.push({ target: `${name} sync requests <= ceil(${listed} / 100) + 1 = ${limit}`, measured: String(requests), met: requests <= limit });
  }

  if (options.latencyMs !== 20 || options.tickets !== 100_000) {
    log("the speed targets are defined at 100000 tickets and 20 ms latency; this run used other settings");
  }
  return checks;
}

function printProfile(profileDir: string): void {
  const file = readdirSync(profileDir).filter((name) => name.endsWith(".cpuprofile")).sort().at(-1);
  if (!file) return;
  const summary = summariseCpuProfile(join(profileDir, file));
  log(`CPU profile of the initial sync: ${join(profileDir, file)} (${summary.totalMs} ms)`);
  for (const area of summary.areas) log(`  ${String(area.share).padStart(5)} %  ${area.area}`);
  log("  top functions by self time:");
  for (const entry of summary.functions) log(`  ${String(entry.share).padStart(5)} %  ${entry.name}`);
}

function hasPsql(psql: string): boolean {
  try {
    execFileSync(psql, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

async function describeMachine(server: BenchServer, load: number[]): Promise<Record<string, string | number>> {
  const postgres = await withClient(server.adminUrl, async (client) => (await client.query<{ version: string }>("SELECT version()")).rows[0]?.version ?? "unknown");
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    postgres,
    database: server.source,
    loadAverageAtStart: load.map((value) => value.toFixed(2)).join(" "),
  };
}

for (const [signal, exitCode] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  process.once(signal, () => {
    log("interrupted; stopping the processes and dropping the databases it started");
    void cleanUp().finally(() => process.exit(exitCode));
  });
}

try {
  await main();
} catch (error) {
  process.exitCode = 1;
  log(error instanceof Error ? error.message : String(error));
} finally {
  await cleanUp();
}
