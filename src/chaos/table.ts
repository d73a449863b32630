import type { ChaosReport } from "./chaos.js";

/** Formats a chaos report as a two-column text table, one row per figure. */
export function formatChaosTable(report: ChaosReport): string {
  const { faults, comparison } = report;
  const rows: [string, string][] = [
    ["faults: SIGKILL of the worker", String(faults.sigkill)],
    ["faults: database connection killed", String(faults.databaseConnectionKill)],
    ["faults: HTTP 500/502/503 responses", String(faults.serverError)],
    ["faults: hanging requests (timed out)", String(faults.hang)],
    ["faults: HTTP 429 responses (bursts)", String(faults.rateLimited)],
    ["runs", `${report.runs} (${Object.entries(report.exitCodes).map(([exit, count]) => `${count}x ${exit}`).join(", ")})`],
    ["retries", String(report.retries)],
    ["tickets expected", String(comparison.expected)],
    ["tickets stored", String(comparison.stored)],
    ["missing", String(comparison.missing.length)],
    ["extra", String(comparison.extra.length)],
    ["falsely deleted", String(comparison.falselyDeleted.length)],
    ["stale payloads", String(comparison.stale.length)],
    ["history errors", String(comparison.brokenHistory + comparison.inconsistentHistory)],
    ["completed after all faults", report.completed ? "yes" : "no"],
    ["duration", `${report.durationSeconds.toFixed(1)} s`],
    ["result", report.passed ? "PASS" : "FAIL"],
  ];

  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n");
}
