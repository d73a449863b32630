import { afterEach, describe, expect, it } from "vitest";

import { silentLogger } from "./support/database.js";
import { defaultHealthMaxAgeMs, HealthTracker } from "../src/worker/health.js";
import { startHealthServer, type RunningHealthServer } from "../src/worker/health-server.js";
import { createSyncMetrics } from "../src/worker/metrics.js";
import { upcomingRunTimes } from "../src/worker/scheduler.js";
import type { SyncResult } from "../src/worker/sync-run.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const result = (outcome: SyncResult["outcome"], error: string | null = null): SyncResult => ({
  outcome, runId: 1, resumed: false, counters: null, error, durationMs: 1000,
});

/** Creates a tracker on a clock that the test moves by hand. */
function trackerAt(start: number, maxAgeMs = 2 * HOUR) {
  const clock = { now: start, schedulerRunning: true };
  const tracker = new HealthTracker({
    maxAgeMs,
    isSchedulerRunning: () => clock.schedulerRunning,
    nextRunAt: () => new Date(clock.now + 15 * MINUTE),
    now: () => clock.now,
  });
  return { clock, tracker };
}

describe("defaultHealthMaxAgeMs", () => {
  it("is two hours for frequent schedules", async () => {
    expect(defaultHealthMaxAgeMs(await upcomingRunTimes("*/15 * * * *", "UTC", 20))).toBe(2 * HOUR);
  });

  it("is three schedule gaps for rare schedules", async () => {
    expect(defaultHealthMaxAgeMs(await upcomingRunTimes("0 3 * * *", "UTC", 20))).toBe(72 * HOUR);
  });

  it("uses the longest gap", async () => {
    // Weekdays at 09:00: the weekend gap is 72 hours.
    expect(defaultHealthMaxAgeMs(await upcomingRunTimes("0 9 * * 1-5", "Europe/Berlin", 20))).toBe(3 * 72 * HOUR);
  });

  it("is two hours without run times", () => {
    expect(defaultHealthMaxAgeMs([])).toBe(2 * HOUR);
  });
});

describe("HealthTracker", () => {
  it("is starting within the grace period", () => {
    const { clock, tracker } = trackerAt(1_000_000);
    clock.now += HOUR;
    const report = tracker.report();

    expect(report.healthy).toBe(true);
    expect(report.status).toBe("starting");
    expect(report.lastSuccessAt).toBeNull();
    expect(report.uptimeSeconds).toBe(3600);
  });

  it("is stale after the grace period without success", () => {
    const { clock, tracker } = trackerAt(1_000_000);
    tracker.runStarted();
    tracker.runFinished(result("failed", "Servicebay rejected the API key (HTTP 401)."));
    clock.now += 2 * HOUR + 1;
    const report = tracker.report();

    expect(report.healthy).toBe(false);
    expect(report.status).toBe("stale");
    expect(report.reason).toBe("No sync run has succeeded since the worker started.");
    expect(report.lastRun?.outcome).toBe("failed");
    expect(report.lastRun?.error).toBe("Servicebay rejected the API key (HTTP 401).");
  });

  it("is ok after a recent success", () => {
    const { clock, tracker } = trackerAt(1_000_000);
    clock.now += 3 * HOUR;
    tracker.runStarted();
    tracker.runFinished(result("succeeded"));
    clock.now += HOUR;
    const report = tracker.report();

    expect(report.healthy).toBe(true);
    expect(report.status).toBe("ok");
    expect(report.lastSuccessAgeSeconds).toBe(3600);
  });

  it("turns stale when successes stop", () => {
    const { clock, tracker } = trackerAt(1_000_000);
    tracker.runStarted();
    tracker.runFinished(result("succeeded"));
    clock.now += 2 * HOUR + 1;
    const report = tracker.report();

    expect(report.healthy).toBe(false);
    expect(report.reason).toBe("The last successful sync run is older than the maximum age.");
  });

  it("stays healthy during a long run that commits pages", () => {
    const { clock, tracker } = trackerAt(1_000_000);
    tracker.runStarted();
    clock.now += 3 * HOUR;
    tracker.pageCommitted();
    clock.now += HOUR;

    expect(tracker.report().status).toBe("syncing");
    expect(tracker.report().healthy).toBe(true);

    clock.now += HOUR + 1;
    expect(tracker.report().healthy).toBe(false);
  });

  it("uses an earlier success from the database", () => {
    const { clock, tracker } = trackerAt(10 * HOUR);
    tracker.recordEarlierSuccess(new Date(10 * HOUR - 30 * MINUTE));
    clock.now += 3 * HOUR;
    expect(tracker.report().status).toBe("stale");
    expect(tracker.report().lastSuccessAgeSeconds).toBe(3.5 * 3600);
  });

  it("is unhealthy once the scheduler stopped", () => {
    const { clock, tracker } = trackerAt(1_000_000);
    tracker.runFinished(result("succeeded"));
    clock.schedulerRunning = false;
    expect(tracker.report().healthy).toBe(false);
    expect(tracker.report().status).toBe("stopped");
  });
});

describe("startHealthServer", () => {
  let server: RunningHealthServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const start = async (healthy: boolean) => {
    const { tracker, clock } = trackerAt(Date.now(), HOUR);
    if (!healthy) clock.schedulerRunning = false;
    const metrics = createSyncMetrics();
    metrics.observeRun(result("succeeded"));
    server = await startHealthServer({ host: "127.0.0.1", port: 0, registry: metrics.registry, health: () => tracker.report(), logger: silentLogger });
    return `http://127.0.0.1:${server.port}`;
  };

  it("listens on the requested address", async () => {
    await start(true);
    expect(server?.host).toBe("127.0.0.1");
    expect(server?.port).toBeGreaterThan(0);
  });

  it("answers /healthz with 200 when healthy", async () => {
    const response = await fetch(`${await start(true)}/healthz`);
    const body = (await response.json()) as { healthy: boolean; status: string };

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(body.healthy).toBe(true);
    expect(body.status).toBe("starting");
  });

  it("answers /healthz with 503 when unhealthy", async () => {
    const response = await fetch(`${await start(false)}/healthz`);
    const body = (await response.json()) as { healthy: boolean; status: string; reason: string };

    expect(response.status).toBe(503);
    expect(body.healthy).toBe(false);
    expect(body.status).toBe("stopped");
    expect(body.reason).toContain("scheduler has stopped");
  });

  it("serves Prometheus text on /metrics", async () => {
    const response = await fetch(`${await start(true)}/metrics`);
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain('servicebay_sync_runs_total{status="succeeded"} 1');
  });

  it("answers HEAD without a body", async () => {
    const response = await fetch(`${await start(true)}/healthz`, { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
  });

  it("rejects other paths and methods", async () => {
    const base = await start(true);
    const notFound = await fetch(`${base}/`);
    const notAllowed = await fetch(`${base}/metrics`, { method: "POST" });

    expect(notFound.status).toBe(404);
    expect(notAllowed.status).toBe(405);
    expect(notAllowed.headers.get("allow")).toBe("GET, HEAD");
  });

  it("closes with keep-alive connections open", async () => {
    const base = await start(true);
    await fetch(`${base}/metrics`, { headers: { connection: "keep-alive" } });
    await server?.close();
    server = undefined;
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it("fails on a port in use", async () => {
    await start(true);
    const metrics = createSyncMetrics();
    await expect(
      startHealthServer({ host: "127.0.0.1", port: server!.port, registry: metrics.registry, health: () => trackerAt(0).tracker.report(), logger: silentLogger }),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});
