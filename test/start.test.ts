import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createServer, type Server } from "node:net";

import { afterEach, describe, expect, it } from "vitest";

import { EXIT_CODES } from "../src/exit-codes.js";
import { KEY, ORG, useHarness } from "./support/harness.js";

type LogLine = Record<string, unknown> & { msg: string };

/** A running `servicebay-sync start` whose JSON log lines are collected as they arrive. */
class StartProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: LogLine[] = [];
  stderr = "";
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: Record<string, string>) {
    this.child = spawn(process.execPath, ["dist/cli.js", "start", ...args], {
      env: { PATH: process.env.PATH ?? "", LOG_FORMAT: "json", ...env },
    });
    let buffer = "";
    this.child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const complete = buffer.split("\n");
      buffer = complete.pop() ?? "";
      for (const line of complete) if (line.trim() !== "") this.lines.push(JSON.parse(line) as LogLine);
    });
    this.child.stderr.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once("close", (code) => resolve(code)));
  }

  /** Waits until a log line with this message arrives, and returns it. */
  async waitForLog(message: string, timeoutMs = 20_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const line = this.lines.find((candidate) => candidate.msg === message);
      if (line) return line;
      if (this.child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`No log line "${message}" within ${timeoutMs} ms. Output so far:\n${JSON.stringify(this.lines, null, 2)}\n${this.stderr}`);
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill("SIGTERM");
    return this.exited;
  }
}

describe("start command", () => {
  const harness = useHarness({ tickets: 320 });
  let running: StartProcess | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  const env = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: harness.db.url,
    SERVICEBAY_BASE_URL: harness.sim.url,
    SERVICEBAY_ORG_ID: ORG,
    SERVICEBAY_API_KEY: KEY,
    // A schedule that does not fire during the test: only --run-now runs.
    SYNC_SCHEDULE: "0 0 1 1 *",
    ...extra,
  });

  it("runs at once with --run-now and serves /healthz and /metrics", async () => {
    running = new StartProcess(["--run-now"], env({ METRICS_PORT: "0", METRICS_HOST: "127.0.0.1", HEALTHZ_MAX_AGE: "30m" }));
    const listening = await running.waitForLog("serving /healthz and /metrics");
    expect(listening.host).toBe("127.0.0.1");
    const base = `http://127.0.0.1:${String(listening.port)}`;

    const finished = await running.waitForLog("sync run finished");
    expect(finished.status).toBe("succeeded");
    expect(finished.inserted).toBe(320);
    await running.waitForLog("next sync run scheduled");

    const health = await fetch(`${base}/healthz`);
    const report = (await health.json()) as { healthy: boolean; status: string; maxAgeSeconds: number; lastRun: { outcome: string } | null; nextRunAt: string };
    expect(health.status).toBe(200);
    expect(report.status).toBe("ok");
    expect(report.maxAgeSeconds).toBe(1800);
    expect(report.lastRun?.outcome).toBe("succeeded");
    expect(new Date(report.nextRunAt).getUTCMonth()).toBe(0);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('servicebay_sync_runs_total{status="succeeded"} 1');
    expect(metrics).toContain('servicebay_sync_tickets_total{change="inserted"} 320');
    expect(metrics).toMatch(/servicebay_sync_api_requests_total\{status_code="200"\} 4\n/);
    expect(metrics).toMatch(/servicebay_sync_last_success_timestamp_seconds \d{10}/);
    expect(metrics).toContain('servicebay_sync_run_duration_seconds_count{status="succeeded"} 1');
    expect(metrics).toContain("process_resident_memory_bytes");

    expect(await running.stop()).toBe(EXIT_CODES.success);
    expect(running.lines.map((line) => line.msg)).toContain("scheduler stopped");
    running = undefined;
  });

  it("seeds the last success from the database", async () => {
    running = new StartProcess([], env({ METRICS_PORT: "0" }));
    const listening = await running.waitForLog("serving /healthz and /metrics");
    const base = `http://127.0.0.1:${String(listening.port)}`;

    const report = (await (await fetch(`${base}/healthz`)).json()) as { status: string; lastSuccessAt: string | null; runInProgress: boolean };
    expect(report.status).toBe("ok");
    expect(report.lastSuccessAt).not.toBeNull();
    expect(report.runInProgress).toBe(false);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('servicebay_sync_runs_total{status="succeeded"} 0');
    expect(metrics).toMatch(/servicebay_sync_last_success_timestamp_seconds \d{10}/);
  });

  it("serves nothing without METRICS_PORT", async () => {
    running = new StartProcess([], env());
    const started = await running.waitForLog("worker started");
    expect(started.metricsPort).toBeNull();
    // Three times the longest gap between yearly runs, which is a leap year of 366 days.
    expect(started.healthzMaxAgeSeconds).toBe(3 * 366 * 24 * 3600);
    expect(running.lines.map((line) => line.msg)).not.toContain("serving /healthz and /metrics");
  });

  it("exits with code 1 when the port is taken", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      running = new StartProcess([], env({ METRICS_PORT: String(port) }));
      expect(await running.exited).toBe(EXIT_CODES.failure);
      expect(running.stderr).toContain(`could not listen on 127.0.0.1:${port}`);
      expect(running.stderr).toContain("Check METRICS_HOST and METRICS_PORT.");
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("rejects an invalid METRICS_PORT", async () => {
    running = new StartProcess([], env({ METRICS_PORT: "http" }));
    expect(await running.exited).toBe(EXIT_CODES.configError);
    expect(running.stderr).toContain("METRICS_PORT must be a port number");
  });
});
