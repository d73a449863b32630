/** The benchmark's results: the table printed at the end and the shape of `bench/results.json`. */
import type { CopyResult, WriteStats } from "./database.js";

export interface ScenarioResult {
  name: string;
  /** From spawning the process to its exit, in seconds. */
  wallSeconds: number;
  requests: number;
  tickets: number;
  ticketsPerSecond: number;
  /** Row counts from `pg_stat_user_tables`; null for the fetch-only scenario. */
  writes: WriteStats | null;
  peakRssMb: number | null;
  /** User and system CPU seconds of the process (for fetch-only, the mean of its runs). */
  cpuSeconds: number | null;
  /** Wall time divided by the fetch-only wall time. */
  ratioToFetchOnly: number | null;
  /** The worker's own figures from its log, for sync scenarios. */
  worker?: {
    runSeconds: number;
    scanSeconds: number;
    /** Time the scan waited for a page the API had not delivered yet. */
    fetchWaitSeconds: number;
    /** Time spent in page commits: building and running the page statement. */
    writeSeconds: number;
    inserted: number;
    updated: number;
    unchanged: number;
    deleted: number;
    rateLimited: number;
  };
}

export interface DatabaseThroughput {
  tickets: number;
  /** Tickets per second of the worker's page commits at latency 0, history rows included. */
  syncTicketsPerSecond: number;
  /** Tickets per second of the whole run at latency 0, API and simulator included. */
  endToEndTicketsPerSecond: number;
  copy: CopyResult | null;
  /** syncTicketsPerSecond divided by the COPY rows per second. */
  ratioToCopy: number | null;
  /** syncTicketsPerSecond divided by the jobs per second of the COPYs into both tables. */
  ratioToCopyWithVersions: number | null;
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

export interface BenchResults {
  startedAt: string;
  command: string;
  machine: Record<string, string | number>;
  options: { tickets: number; latencyMs: number; seed: number };
  scenarios: ScenarioResult[];
  database: DatabaseThroughput | null;
  targets: TargetCheck[];
}

/** Formats the scenarios, the database figure and the target checks as plain-text tables. */
export function formatResults(results: BenchResults): string {
  const header = ["scenario", "wall s", "requests", "tickets/s", "tickets ins/upd", "versions ins/upd", "peak RSS MB", "CPU s", "x fetch-only"];
  const rows = results.scenarios.map((scenario) => [
    scenario.name,
    scenario.wallSeconds.toFixed(2),
    String(scenario.requests),
    String(Math.round(scenario.ticketsPerSecond)),
    scenario.writes ? `${scenario.writes.tickets.inserted}/${scenario.writes.tickets.updated}` : "-",
    scenario.writes ? `${scenario.writes.ticket_versions.inserted}/${scenario.writes.ticket_versions.updated}` : "-",
    scenario.peakRssMb === null ? "-" : scenario.peakRssMb.toFixed(1),
    scenario.cpuSeconds === null ? "-" : scenario.cpuSeconds.toFixed(2),
    scenario.ratioToFetchOnly === null ? "-" : scenario.ratioToFetchOnly.toFixed(3),
  ]);
  const lines = [formatTable(header, rows)];

  const database = results.database;
  if (database) {
    lines.push("");
    lines.push(`database at latency 0, ${database.tickets} tickets: page commits ${Math.round(database.syncTicketsPerSecond)} tickets/s ` +
      `(whole run ${Math.round(database.endToEndTicketsPerSecond)} tickets/s)`);
    if (database.copy) {
      lines.push(`plain COPY of the same rows: ${Math.round(database.copy.rowsPerSecond)} rows/s; ratio ${database.ratioToCopy?.toFixed(3)}`);
      lines.push(`plain COPY of the same rows and their versions into both tables: ${Math.round(database.copy.withVersions.jobsPerSecond)} jobs/s; ` +
        `ratio ${database.ratioToCopyWithVersions?.toFixed(3)}`);
    } else {
      lines.push("plain COPY: not measured (psql not found)");
    }
  }

  lines.push("");
  lines.push(formatTable(["target", "measured", "met"], results.targets.map((check) => [check.target, check.measured, check.met ? "yes" : "NO"])));
  return lines.join("\n");
}

function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const format = (row: string[]): string => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
  return [format(header), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(format)].join("\n");
}
