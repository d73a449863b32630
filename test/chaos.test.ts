import { describe, expect, inject, test } from "vitest";

import { runChaos, type ChaosReport } from "../src/chaos/chaos.js";
import { formatChaosTable } from "../src/chaos/table.js";
import { CLI_PATH } from "./support/cli.js";

describe("chaos run at small scale", () => {
  let report: ChaosReport;

  test("completes after every planned fault", { timeout: 120_000 }, async () => {
    report = await runChaos({
      adminDatabaseUrl: inject("adminDatabaseUrl"),
      cliPath: CLI_PATH,
      tickets: 800,
      seed: 7,
      maxRuns: 20,
      maxSeconds: 100,
    });

    expect(report.completed, formatChaosTable(report)).toBe(true);
    expect(report.faults.sigkill).toBe(3);
    expect(report.faults.databaseConnectionKill).toBe(1);
  });

  test("mirror equals the simulator", () => {
    expect(report.comparison.missing).toEqual([]);
    expect(report.comparison.extra).toEqual([]);
    expect(report.comparison.falselyDeleted).toEqual([]);
    expect(report.comparison.stale).toEqual([]);
    expect(report.comparison.stored).toBe(report.comparison.expected);
  });

  test("history is consistent", () => {
    expect(report.comparison.brokenHistory).toBe(0);
    expect(report.comparison.inconsistentHistory).toBe(0);
  });

  test("report passes and counts retries", () => {
    expect(report.passed).toBe(true);
    expect(report.retries).toBeGreaterThan(0);
    expect(formatChaosTable(report)).toMatch(/falsely deleted\s+0\n/);
  });
});
