import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, test } from "vitest";

import { subtractWriteStats, type WriteStats } from "../src/bench/database.js";
import { summariseCpuProfile } from "../src/bench/profile.js";
import { formatResults, type BenchResults } from "../src/bench/report.js";

const folder = mkdtempSync(join(tmpdir(), "bench-report-test-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function writes(ticketsInserted: number, versionsInserted: number): WriteStats {
  return {
    tickets: { inserted: ticketsInserted, updated: 1, deleted: 0 },
    ticket_versions: { inserted: versionsInserted, updated: 2, deleted: 0 },
  };
}

describe("benchmark write statistics", () => {
  test("deltas subtract each count", () => {
    const delta = subtractWriteStats(writes(150, 170), writes(100, 100));

    expect(delta.tickets).toEqual({ inserted: 50, updated: 0, deleted: 0 });
    expect(delta.ticket_versions).toEqual({ inserted: 70, updated: 0, deleted: 0 });
  });
});

describe("benchmark CPU profile summary", () => {
  test("self time is summed per function and area", () => {
    const file = join(folder, "run.cpuprofile");
    writeFileSync(file, JSON.stringify({
      startTime: 0,
      endTime: 10_000,
      nodes: [
        { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1 } },
        { id: 2, callFrame: { functionName: "(idle)", url: "", lineNumber: -1 } },
        { id: 3, callFrame: { functionName: "parseTicket", url: "file:///app/dist/servicebay/parse.js", lineNumber: 24 } },
        { id: 4, callFrame: { functionName: "parse", url: "file:///app/node_modules/pg-protocol/dist/parser.js", lineNumber: 36 } },
      ],
      samples: [2, 3, 3, 4, 2],
      timeDeltas: [4_000, 1_000, 2_000, 1_000, 2_000],
    }));

    const summary = summariseCpuProfile(file);

    expect(summary.totalMs).toBe(10);
    expect(summary.areas[0]).toEqual({ area: "idle (waiting for network or database)", ms: 6, share: 60 });
    expect(summary.areas).toContainEqual({ area: "servicebay-sync: API client and parsing", ms: 3, share: 30 });
    expect(summary.areas).toContainEqual({ area: "pg (PostgreSQL client)", ms: 1, share: 10 });
    expect(summary.functions[1]?.name).toBe("parseTicket dist/servicebay/parse.js:25");
  });
});

describe("benchmark results table", () => {
  const results: BenchResults = {
    startedAt: "2026-01-01T00:00:00.000Z",
    command: "npm run bench",
    machine: { cpus: 2 },
    options: { tickets: 1000, latencyMs: 20, seed: 1 },
    scenarios: [
      { name: "fetch-only", wallSeconds: 10, requests: 10, tickets: 1000, ticketsPerSecond: 100, writes: null, peakRssMb: 50, cpuSeconds: 4, ratioToFetchOnly: 1 },
      { name: "initial sync", wallSeconds: 10.5, requests: 10, tickets: 1000, ticketsPerSecond: 95.2, writes: writes(1000, 1000), peakRssMb: 80.25, cpuSeconds: 5.125, ratioToFetchOnly: 1.05 },
    ],
    database: {
      tickets: 1000, syncTicketsPerSecond: 20_000, endToEndTicketsPerSecond: 5_000, copy: { rows: 1000, copyMs: 25, rowsPerSecond: 40_000, withVersions: { rows: 1000, copyMs: 40, jobsPerSecond: 25_000 } },
      ratioToCopy: 0.5,
      ratioToCopyWithVersions: 0.8,
    },
    targets: [{ target: "initial sync / fetch-only <= 1.10", measured: "1.050", met: true }, { target: "worker peak RSS < 200 MB", measured: "250 MB", met: false }],
  };

  test("rows show each scenario's figures", () => {
    const lines = formatResults(results).split("\n");

    expect(lines[0]).toMatch(/^scenario\s+wall s\s+requests/);
    expect(lines.find((line) => line.startsWith("initial sync"))).toMatch(/10\.50\s+10\s+95\s+1000\/1\s+1000\/2\s+80\.3\s+5\.13\s+1\.050$/);
    expect(lines.find((line) => line.startsWith("fetch-only"))).toMatch(/\s-\s+-\s+50\.0\s+4\.00\s+1\.000$/);
  });

  test("database line shows the COPY ratio", () => {
    const text = formatResults(results);

    expect(text).toContain("page commits 20000 tickets/s");
    expect(text).toContain("plain COPY of the same rows: 40000 rows/s; ratio 0.500");
    expect(text).toContain("into both tables: 25000 jobs/s; ratio 0.800");
  });

  test("unmet targets are marked NO", () => {
    const lines = formatResults(results).split("\n");

    expect(lines.find((line) => line.startsWith("worker peak RSS"))).toMatch(/250 MB\s+NO$/);
    expect(lines.find((line) => line.startsWith("initial sync / fetch-only"))).toMatch(/1\.050\s+yes$/);
  });
});
