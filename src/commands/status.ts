import { redactDatabaseUrl } from "../config.js";
import { createPool, describeDatabaseError } from "../db/pool.js";
import { EXIT_CODES } from "../exit-codes.js";
import { createLogger } from "../logger.js";
import { readRecentRuns, type OrganisationRuns, type RecentRun } from "../worker/health-queries.js";
import { formatDuration } from "../worker/progress.js";
import { loadCommandConfig } from "./shared.js";

/** SQLSTATE undefined_table: the migrations have not been applied to this database. */
const UNDEFINED_TABLE = "42P01";

export interface StatusOptions {
  org?: string | undefined;
  limit: number;
  format: "table" | "json";
  /** With a value, the command fails when the last successful run is older than this, in ms. */
  maxAge?: number | undefined;
  /** A `running` run whose heartbeat is older than this, in ms, is shown as stale. */
  staleAfter: number;
}

export interface RunView extends RecentRun {
  /** A `running` run that stopped updating its heartbeat: its process probably died. */
  stale: boolean;
  /** Until the run finished, or until now while it is running. */
  durationMs: number;
}

export interface OrganisationStatus {
  orgId: string;
  lastSuccessAt: Date | null;
  lastSuccessAgeMs: number | null;
  runs: RunView[];
}

export interface StatusReport {
  checkedAt: Date;
  organisations: OrganisationStatus[];
  /** Present with `--max-age`: whether every organisation shown succeeded recently enough. */
  check: { maxAgeMs: number; healthy: boolean; problems: string[] } | null;
}

/**
 * Runs `servicebay-sync status`: prints the last runs of each organisation from
 * `servicebay.sync_runs`. With `--max-age`, exits with code 1 when an organisation's last
 * successful run is older or missing, so it can serve as a health check. Only reads.
 */
export async function statusCommand(options: StatusOptions): Promise<number> {
  const config = loadCommandConfig("database");
  // Logs go to standard error, because standard output carries the table or the JSON.
  const logger = createLogger({ level: config.LOG_LEVEL, format: "json", destination: process.stderr });
  const pool = createPool(config.DATABASE_URL, logger, { max: 1 });

  try {
    const recent = await readRecentRuns(pool, { orgId: options.org, limit: options.limit });
    const report = buildStatusReport(recent.now, recent.organisations, options);
    process.stdout.write(options.format === "json" ? `${JSON.stringify(report, null, 2)}\n` : formatStatusTable(report));

    if (report.check && !report.check.healthy) {
      for (const problem of report.check.problems) process.stderr.write(`servicebay-sync: status check failed: ${problem}\n`);
      return EXIT_CODES.failure;
    }
    return EXIT_CODES.success;
  } catch (error) {
    const described = describeDatabaseError(error);
    const message =
      described.code === UNDEFINED_TABLE
        ? "The table servicebay.sync_runs does not exist in this database: run `servicebay-sync migrate` or a first `servicebay-sync sync`."
        : `Could not read the sync runs from ${redactDatabaseUrl(config.DATABASE_URL)}: ${described.message}`;
    process.stderr.write(`servicebay-sync: ${message}\n`);
    return EXIT_CODES.failure;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/** Adds ages, durations, staleness and the `--max-age` verdict to the runs read from the database. */
export function buildStatusReport(now: Date, organisations: OrganisationRuns[], options: Pick<StatusOptions, "org" | "maxAge" | "staleAfter">): StatusReport {
  const nowMs = now.getTime();
  const views: OrganisationStatus[] = organisations.map((organisation) => ({
    orgId: organisation.orgId,
    lastSuccessAt: organisation.lastSuccessAt,
    lastSuccessAgeMs: organisation.lastSuccessAt === null ? null : nowMs - organisation.lastSuccessAt.getTime(),
    runs: organisation.runs.map((run) => ({
      ...run,
      stale: run.status === "running" && nowMs - run.heartbeatAt.getTime() > options.staleAfter,
      durationMs: (run.finishedAt ?? now).getTime() - run.startedAt.getTime(),
    })),
  }));

  if (options.maxAge === undefined) return { checkedAt: now, organisations: views, check: null };

  const limit = formatDuration(options.maxAge);
  const problems: string[] = [];
  if (views.length === 0) {
    problems.push(options.org ? `organisation ${options.org} has no sync runs recorded.` : "no sync runs are recorded in this database.");
  }
  for (const view of views) {
    if (view.lastSuccessAgeMs === null) {
      problems.push(`organisation ${view.orgId} has no successful sync run.`);
    } else if (view.lastSuccessAgeMs > options.maxAge) {
      problems.push(`organisation ${view.orgId}: the last successful sync run finished ${formatDuration(view.lastSuccessAgeMs)} ago, more than --max-age ${limit}.`);
    }
  }
  return { checkedAt: now, organisations: views, check: { maxAgeMs: options.maxAge, healthy: problems.length === 0, problems } };
}

/** Column title, how to read the value, and whether it is a number (right-aligned). */
const COLUMNS: { title: string; value: (run: RunView) => string; numeric: boolean }[] = [
  { title: "RUN", value: (run) => String(run.id), numeric: true },
  { title: "STARTED (UTC)", value: (run) => formatInstant(run.startedAt), numeric: false },
  { title: "DURATION", value: (run) => formatDuration(run.durationMs), numeric: true },
  { title: "STATUS", value: displayStatus, numeric: false },
  { title: "SEEN", value: (run) => count(run.ticketsSeen), numeric: true },
  { title: "INSERTED", value: (run) => count(run.inserted), numeric: true },
  { title: "UPDATED", value: (run) => count(run.updated), numeric: true },
  { title: "DELETED", value: (run) => count(run.deleted), numeric: true },
  { title: "UNDELETED", value: (run) => count(run.undeleted), numeric: true },
  { title: "UNCHANGED", value: (run) => count(run.unchanged), numeric: true },
  // A skipped check is easy to miss, because such a run still succeeds; the reason is in JSON.
  { title: "DELETIONS", value: (run) => (run.deletionCheck?.startsWith("skipped") ? "skipped" : (run.deletionCheck ?? "")), numeric: false },
  { title: "ERROR", value: (run) => shorten(run.error ?? "", 100), numeric: false },
];

/** Formats the report as one aligned table per organisation, each under a line with its last success. */
export function formatStatusTable(report: StatusReport): string {
  if (report.organisations.length === 0) return "No sync runs recorded yet.\n";

  const blocks = report.organisations.map((organisation) => {
    const lastSuccess =
      organisation.lastSuccessAt === null || organisation.lastSuccessAgeMs === null
        ? "no successful run"
        : `last success ${formatInstant(organisation.lastSuccessAt)} UTC (${formatDuration(organisation.lastSuccessAgeMs)} ago)`;
    const rows = [COLUMNS.map((column) => column.title), ...organisation.runs.map((run) => COLUMNS.map((column) => column.value(run)))];
    const widths = COLUMNS.map((_, index) => Math.max(...rows.map((row) => row[index]!.length)));
    const lines = rows.map((row) =>
      row
        .map((cell, index) => (COLUMNS[index]!.numeric ? cell.padStart(widths[index]!) : cell.padEnd(widths[index]!)))
        .join("  ")
        .trimEnd(),
    );
    return [`${organisation.orgId}: ${lastSuccess}`, ...lines].join("\n");
  });
  return `${blocks.join("\n\n")}\n`;
}

function displayStatus(run: RunView): string {
  return run.stale ? "running (stale)" : run.status;
}

function formatInstant(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}

function count(value: number): string {
  return value.toLocaleString("en-US");
}

/** Keeps the table on one line per run; JSON output has the whole error. */
function shorten(text: string, maxLength: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= maxLength ? line : `${line.slice(0, maxLength - 1)}…`;
}
