import { spawn, spawnSync } from "node:child_process";
import { Writable } from "node:stream";

import { describe, expect, it } from "vitest";

import { emptyRunCounters } from "../src/db/runs.js";
import { estimateRemainingMs, formatDuration, formatProgressLine, createProgressReporter, type ProgressSnapshot } from "../src/worker/progress.js";
import { KEY, ORG, useHarness } from "./support/harness.js";

const snapshot = (fields: Partial<ProgressSnapshot> = {}): ProgressSnapshot => ({
  page: 12, ticketsSeen: 1200, ticketsPerSecond: 300, rateLimitRemaining: 88, expectedTickets: 2400, ...fields,
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [999, "0s"],
    [42_000, "42s"],
    [185_000, "3m 05s"],
    [3_720_000, "1h 02m"],
    [-5_000, "0s"],
  ])("formats %d ms as %s", (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe("formatProgressLine", () => {
  it("shows pages, jobs, rate, requests left and ETA", () => {
    expect(formatProgressLine(snapshot())).toBe("page 12, 1,200/2,400 jobs, 300 jobs/s, 88 requests left, ETA 4s");
  });

  it("omits requests left without a header", () => {
    expect(formatProgressLine(snapshot({ rateLimitRemaining: null }))).toBe("page 12, 1,200/2,400 jobs, 300 jobs/s, ETA 4s");
  });

  it("has no ETA without an earlier run", () => {
    expect(formatProgressLine(snapshot({ expectedTickets: null }))).toBe("page 12, 1,200 jobs, 300 jobs/s, 88 requests left, ETA unknown (no earlier successful run)");
  });

  it("has no ETA before any rate is known", () => {
    expect(formatProgressLine(snapshot({ ticketsPerSecond: 0 }))).toContain("ETA unknown");
  });

  it("notes a run past the previous count", () => {
    expect(formatProgressLine(snapshot({ ticketsSeen: 2500 }))).toContain("past the previous run's job count");
  });

  it("estimates from the remaining jobs and rate", () => {
    expect(estimateRemainingMs(snapshot({ ticketsSeen: 1000, expectedTickets: 61_000, ticketsPerSecond: 100 }))).toBe(600_000);
    expect(formatProgressLine(snapshot({ ticketsSeen: 1000, expectedTickets: 61_000, ticketsPerSecond: 100 }))).toContain("ETA 10m 00s");
  });
});

/** Creates a writable stream that records what was written and can claim to be a terminal. */
function captureStream(isTTY: boolean, columns?: number) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  }) as Writable & { isTTY?: boolean; columns?: number };
  stream.isTTY = isTTY;
  if (columns !== undefined) stream.columns = columns;
  return { stream, output: () => chunks.join("") };
}

describe("createProgressReporter", () => {
  const pageProgress = (page: number, ticketsSeen: number) => ({
    runId: 1, page, rateLimitRemaining: 50, counters: { ...emptyRunCounters(), pages: page, ticketsSeen },
  });

  it("returns null when not a terminal", () => {
    const { stream } = captureStream(false);
    expect(createProgressReporter({ stream, expectedTickets: 100 })).toBeNull();
  });

  it("redraws one line in a terminal", () => {
    let now = 0;
    const { stream, output } = captureStream(true);
    const reporter = createProgressReporter({ stream, expectedTickets: 400, now: () => now, minIntervalMs: 0 })!;

    reporter.onRunStarted({ runId: 1, resumed: false, counters: emptyRunCounters() });
    now = 1000;
    reporter.onPage(pageProgress(1, 100));
    now = 2000;
    reporter.onPage(pageProgress(2, 200));
    reporter.clear();

    const written = output();
    expect(written).toBe(
      "\r\x1b[2Kpage 1, 100/400 jobs, 100 jobs/s, 50 requests left, ETA 3s" +
        "\r\x1b[2Kpage 2, 200/400 jobs, 100 jobs/s, 50 requests left, ETA 2s" +
        "\r\x1b[2K",
    );
    expect(written).not.toContain("\n");
  });

  it("measures the rate from the resumed count", () => {
    let now = 0;
    const { stream, output } = captureStream(true);
    const reporter = createProgressReporter({ stream, expectedTickets: null, now: () => now, minIntervalMs: 0 })!;

    reporter.onRunStarted({ runId: 1, resumed: true, counters: { ...emptyRunCounters(), ticketsSeen: 5000 } });
    now = 2000;
    reporter.onPage(pageProgress(51, 5100));
    expect(output()).toContain("5,100 jobs, 50 jobs/s");
  });

  it("throttles redraws", () => {
    let now = 0;
    const { stream, output } = captureStream(true);
    const reporter = createProgressReporter({ stream, expectedTickets: null, now: () => now, minIntervalMs: 100 })!;
    reporter.onRunStarted({ runId: 1, resumed: false, counters: emptyRunCounters() });

    for (let page = 1; page <= 10; page += 1) {
      now += 20;
      reporter.onPage(pageProgress(page, page * 100));
    }
    expect(output().split("\r\x1b[2K").filter(Boolean)).toHaveLength(2);
  });

  it("cuts the line to the terminal width", () => {
    const { stream, output } = captureStream(true, 20);
    const reporter = createProgressReporter({ stream, expectedTickets: null, minIntervalMs: 0, now: () => 0 })!;
    reporter.onPage(pageProgress(1, 100));
    expect(output()).toBe("\r\x1b[2Kpage 1, 100 jobs, 0");
  });

  it("clears nothing when nothing was drawn", () => {
    const { stream, output } = captureStream(true);
    createProgressReporter({ stream, expectedTickets: null })!.clear();
    expect(output()).toBe("");
  });
});

/**
 * Runs a command and collects its output. It must not block, because the simulator that serves
 * the child runs in this process and a blocking spawnSync would starve it.
 */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("sync command progress", () => {
  const harness = useHarness({ tickets: 450 });
  const environment = () => ({
    ...process.env,
    DATABASE_URL: harness.db.url,
    SERVICEBAY_BASE_URL: harness.sim.url,
    SERVICEBAY_ORG_ID: ORG,
    SERVICEBAY_API_KEY: KEY,
    LOG_FORMAT: "json",
  });

  it("writes no progress when not a terminal", async () => {
    const result = await run(process.execPath, ["dist/cli.js", "sync"], environment());

    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).not.toContain("\r");
    expect(result.stdout).not.toContain("jobs/s");
  });

  it("logs one start and one summary line", async () => {
    const result = await run(process.execPath, ["dist/cli.js", "sync"], environment());
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    const started = lines.filter((line) => line.msg === "sync run started");
    const finished = lines.filter((line) => line.msg === "sync run finished");

    expect(started).toHaveLength(1);
    expect(finished).toHaveLength(1);
    for (const field of ["ticketsSeen", "inserted", "updated", "unchanged", "deleted", "undeleted", "pages", "requests", "runDurationMs"]) {
      expect(finished[0]).toHaveProperty(field);
    }
    expect(finished[0]?.unchanged).toBe(450);
  });

  // script(1) from util-linux runs the command in a pseudo-terminal, so stderr is a TTY.
  const hasScript = spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0;
  it.runIf(hasScript)("draws progress in a terminal", async () => {
    const result = await run("script", ["-qec", `${process.execPath} dist/cli.js sync`, "/dev/null"], { ...environment(), LOG_LEVEL: "warn" });
    const output = result.stdout;
    expect(result.status).toBe(0);
    expect(output).toMatch(/\r\x1b\[2Kpage \d+, [\d,]+\/450 jobs, [\d,]+ jobs\/s/);
    expect(output).toContain("ETA");
  });
});
