import { spawn } from "node:child_process";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildStatusReport, formatStatusTable } from "../src/commands/status.js";
import { EXIT_CODES } from "../src/exit-codes.js";
import type { OrganisationRuns, RecentRun } from "../src/worker/health-queries.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { ORG, useHarness } from "./support/harness.js";

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI without blocking, because the simulator serving it runs in this process. */
function runCli(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["dist/cli.js", ...args], {
      env: { PATH: process.env.PATH, LOG_FORMAT: "json", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function recentRun(fields: Partial<RecentRun>): RecentRun {
  return {
    id: 1, orgId: ORG, status: "succeeded", startedAt: new Date(0), finishedAt: new Date(0), heartbeatAt: new Date(0),
    resumeCount: 0, pages: 0, ticketsSeen: 0, inserted: 0, updated: 0, deleted: 0, undeleted: 0, unchanged: 0,
    requests: 0, retries: 0, rateLimited: 0, skipped: 0, deletionCheck: null, error: null, ...fields,
  };
}

describe("buildStatusReport", () => {
  const now = new Date("2026-01-01T12:00:00Z");
  const at = (msAgo: number) => new Date(now.getTime() - msAgo);

  it("marks a running run stale by heartbeat", () => {
    const organisations: OrganisationRuns[] = [{
      orgId: ORG,
      lastSuccessAt: null,
      runs: [
        recentRun({ id: 2, status: "running", startedAt: at(HOUR), finishedAt: null, heartbeatAt: at(20 * MINUTE) }),
        recentRun({ id: 1, status: "running", startedAt: at(HOUR), finishedAt: null, heartbeatAt: at(MINUTE) }),
      ],
    }];
    const report = buildStatusReport(now, organisations, { staleAfter: 15 * MINUTE });

    expect(report.organisations[0]?.runs[0]?.stale).toBe(true);
    expect(report.organisations[0]?.runs[1]?.stale).toBe(false);
    expect(report.organisations[0]?.runs[0]?.durationMs).toBe(HOUR);
    expect(report.check).toBeNull();
  });

  it("passes a recent success", () => {
    const report = buildStatusReport(now, [{ orgId: ORG, lastSuccessAt: at(HOUR), runs: [recentRun({})] }], { staleAfter: MINUTE, maxAge: 2 * HOUR });
    expect(report.check?.healthy).toBe(true);
    expect(report.check?.problems).toEqual([]);
  });

  it("fails an old success", () => {
    const report = buildStatusReport(now, [{ orgId: ORG, lastSuccessAt: at(3 * HOUR), runs: [recentRun({})] }], { staleAfter: MINUTE, maxAge: 2 * HOUR });
    expect(report.check?.healthy).toBe(false);
    expect(report.check?.problems).toEqual([`organisation ${ORG}: the last successful sync run finished 3h 00m ago, more than --max-age 2h 00m.`]);
  });

  it("fails without any success", () => {
    const report = buildStatusReport(now, [{ orgId: ORG, lastSuccessAt: null, runs: [recentRun({ status: "failed" })] }], { staleAfter: MINUTE, maxAge: HOUR });
    expect(report.check?.problems).toEqual([`organisation ${ORG} has no successful sync run.`]);
  });

  it("fails without any run", () => {
    expect(buildStatusReport(now, [], { staleAfter: MINUTE, maxAge: HOUR }).check?.problems).toEqual(["no sync runs are recorded in this database."]);
    expect(buildStatusReport(now, [], { org: "org_x", staleAfter: MINUTE, maxAge: HOUR }).check?.problems).toEqual(["organisation org_x has no sync runs recorded."]);
  });
});

describe("formatStatusTable", () => {
  const now = new Date("2026-01-01T12:00:00Z");

  it("aligns columns and shows stale runs", () => {
    const report = buildStatusReport(
      now,
      [{
        orgId: ORG,
        lastSuccessAt: new Date("2026-01-01T11:45:00Z"),
        runs: [
          recentRun({ id: 12, status: "running", startedAt: new Date("2026-01-01T11:00:00Z"), finishedAt: null, heartbeatAt: new Date("2026-01-01T11:10:00Z"), ticketsSeen: 500 }),
          recentRun({ id: 11, startedAt: new Date("2026-01-01T11:40:00Z"), finishedAt: new Date("2026-01-01T11:45:00Z"), ticketsSeen: 12_345, inserted: 12_345, deletionCheck: "skipped: 1 listed ticket(s) had no usable id, so the scan is incomplete" }),
          recentRun({ id: 9, status: "failed", startedAt: new Date("2026-01-01T11:20:00Z"), finishedAt: new Date("2026-01-01T11:20:03Z"), error: "Servicebay rejected\nthe API key (HTTP 401)." }),
        ],
      }],
      { staleAfter: 15 * MINUTE },
    );

    expect(formatStatusTable(report).split("\n")).toEqual([
      `${ORG}: last success 2026-01-01 11:45:00 UTC (15m 00s ago)`,
      "RUN  STARTED (UTC)        DURATION  STATUS             SEEN  INSERTED  UPDATED  DELETED  UNDELETED  UNCHANGED  DELETIONS  ERROR",
      " 12  2026-01-01 11:00:00    1h 00m  running (stale)     500         0        0        0          0          0",
      " 11  2026-01-01 11:40:00    5m 00s  succeeded        12,345    12,345        0        0          0          0  skipped",
      "  9  2026-01-01 11:20:00        3s  failed                0         0        0        0          0          0             Servicebay rejected the API key (HTTP 401).",
      "",
    ]);
  });

  it("says when there are no runs", () => {
    expect(formatStatusTable(buildStatusReport(now, [], { staleAfter: MINUTE }))).toBe("No sync runs recorded yet.\n");
  });
});

describe("status command", () => {
  const harness = useHarness({ tickets: 300 });
  const env = () => ({ DATABASE_URL: harness.db.url });

  it("reports no runs on an empty database", async () => {
    const result = await runCli(["status"], env());
    expect(result.status).toBe(EXIT_CODES.success);
    expect(result.stdout).toBe("No sync runs recorded yet.\n");
  });

  it("fails --max-age without runs", async () => {
    const result = await runCli(["status", "--max-age", "2h"], env());
    expect(result.status).toBe(EXIT_CODES.failure);
    expect(result.stderr).toContain("no sync runs are recorded in this database.");
  });

  it("shows a finished sync", async () => {
    const sync = await harness.sync();
    expect(sync.outcome).toBe("succeeded");

    const result = await runCli(["status"], env());
    expect(result.status).toBe(EXIT_CODES.success);
    expect(result.stdout).toMatch(new RegExp(`^${ORG}: last success \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC`));
    expect(result.stdout).toMatch(/\n\s+\d+ {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\d+s {2}succeeded\s+300\s+300\s+0\s+0\s+0\s+0\s+applied\n$/);
  });

  it("passes --max-age after a recent success", async () => {
    const result = await runCli(["status", "--max-age", "2h"], env());
    expect(result.status).toBe(EXIT_CODES.success);
    expect(result.stderr).toBe("");
  });

  it("prints JSON with counts", async () => {
    const result = await runCli(["status", "--format", "json", "--max-age", "1h"], env());
    const report = JSON.parse(result.stdout) as {
      organisations: { orgId: string; lastSuccessAt: string; runs: { status: string; ticketsSeen: number; inserted: number; stale: boolean; error: string | null }[] }[];
      check: { healthy: boolean; maxAgeMs: number };
    };

    expect(result.status).toBe(EXIT_CODES.success);
    expect(report.organisations.map((organisation) => organisation.orgId)).toEqual([ORG]);
    expect(report.organisations[0]?.runs[0]).toMatchObject({ status: "succeeded", ticketsSeen: 300, inserted: 300, stale: false, error: null });
    expect(Date.parse(report.organisations[0]!.lastSuccessAt)).not.toBeNaN();
    expect(report.check).toEqual({ maxAgeMs: HOUR, healthy: true, problems: [] });
  });

  describe("with older runs", () => {
    beforeAll(async () => {
      await harness.db.query(
        `INSERT INTO servicebay.sync_runs (org_id, started_at, finished_at, heartbeat_at, status, tickets_seen, error)
         VALUES ('org_old', now() - interval '5 hours', now() - interval '4 hours 58 minutes', now() - interval '4 hours 58 minutes', 'succeeded', 10, NULL),
                ('org_old', now() - interval '1 hour', now() - interval '59 minutes', now() - interval '59 minutes', 'failed', 3, 'Servicebay rejected the API key (HTTP 401).'),
                ('org_old', now() - interval '40 minutes', NULL, now() - interval '30 minutes', 'running', 7, NULL),
                ('org_new', now() - interval '2 minutes', NULL, now(), 'running', 1, NULL)`,
      );
    });

    it("fails --max-age for an old success", async () => {
      const result = await runCli(["status", "--org", "org_old", "--max-age", "2h"], env());
      expect(result.status).toBe(EXIT_CODES.failure);
      expect(result.stderr).toMatch(/^servicebay-sync: status check failed: organisation org_old: the last successful sync run finished 4h 5\dm ago, more than --max-age 2h 00m\.\n$/);
    });

    it("fails --max-age for any organisation", async () => {
      const result = await runCli(["status", "--max-age", "2h"], env());
      expect(result.status).toBe(EXIT_CODES.failure);
      expect(result.stderr).toContain("organisation org_old: the last successful sync run finished");
      expect(result.stderr).toContain("organisation org_new has no successful sync run.");
      expect(result.stderr).not.toContain(`organisation ${ORG}`);
    });

    it("passes --max-age for one healthy organisation", async () => {
      const result = await runCli(["status", "--org", ORG, "--max-age", "2h"], env());
      expect(result.status).toBe(EXIT_CODES.success);
      expect(result.stdout).not.toContain("org_old");
    });

    it("fails --max-age for an unknown organisation", async () => {
      const result = await runCli(["status", "--org", "org_missing", "--max-age", "2h"], env());
      expect(result.status).toBe(EXIT_CODES.failure);
      expect(result.stderr).toContain("organisation org_missing has no sync runs recorded.");
    });

    it("marks a silent running run stale", async () => {
      const result = await runCli(["status", "--org", "org_old"], env());
      const lines = result.stdout.split("\n");
      expect(lines[2]).toContain("running (stale)");
      expect(lines[3]).toContain("failed");
      expect(lines[3]).toContain("Servicebay rejected the API key (HTTP 401).");
      expect(lines[4]).toContain("succeeded");
    });

    it("keeps a live running run plain", async () => {
      const result = await runCli(["status", "--org", "org_new"], env());
      expect(result.stdout).toMatch(/ running +1 /);
      expect(result.stdout).not.toContain("stale");
    });

    it("honours --stale-after", async () => {
      const result = await runCli(["status", "--org", "org_old", "--stale-after", "1h"], env());
      expect(result.stdout).not.toContain("stale");
    });

    it("limits runs per organisation", async () => {
      const result = await runCli(["status", "--limit", "1", "--format", "json"], env());
      const report = JSON.parse(result.stdout) as { organisations: { orgId: string; runs: { status: string }[] }[] };
      expect(report.organisations.map((organisation) => organisation.orgId)).toEqual([ORG, "org_new", "org_old"]);
      for (const organisation of report.organisations) expect(organisation.runs).toHaveLength(1);
      expect(report.organisations[2]?.runs[0]?.status).toBe("running");
    });
  });

  it.each([
    [["status", "--max-age", "soon"]],
    [["status", "--limit", "0"]],
    [["status", "--format", "xml"]],
  ])("rejects invalid options %j", async (args) => {
    const result = await runCli(args, env());
    expect(result.status).toBe(EXIT_CODES.configError);
  });

  it("requires DATABASE_URL", async () => {
    const result = await runCli(["status"], {});
    expect(result.status).toBe(EXIT_CODES.configError);
    expect(result.stderr).toContain("DATABASE_URL is missing");
  });
});

describe("status on an unmigrated database", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await db.drop();
  });

  it("asks to run the migrations", async () => {
    const result = await runCli(["status"], { DATABASE_URL: db.url });
    expect(result.status).toBe(EXIT_CODES.failure);
    expect(result.stderr).toContain("servicebay.sync_runs does not exist");
    expect(result.stderr).toContain("servicebay-sync migrate");
  });
});
