import { describe, expect, it } from "vitest";

import { emptyRunCounters, type RunCounters } from "../src/db/runs.js";
import { createSyncMetrics, type SyncMetrics } from "../src/worker/metrics.js";
import type { SyncResult } from "../src/worker/sync-run.js";
import { useHarness } from "./support/harness.js";

/** Returns the value of one sample of the exposition text, or undefined when it is absent. */
async function sample(metrics: SyncMetrics, series: string): Promise<number | undefined> {
  const text = await metrics.registry.metrics();
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const counters = (fields: Partial<RunCounters>): RunCounters => ({ ...emptyRunCounters(), ...fields });

const result = (fields: Partial<SyncResult>): SyncResult => ({
  outcome: "succeeded", runId: 1, resumed: false, counters: emptyRunCounters(), error: null, durationMs: 1500, ...fields,
});

describe("createSyncMetrics", () => {
  it("keeps instances apart", async () => {
    const first = createSyncMetrics();
    const second = createSyncMetrics();
    first.observeRun(result({}));

    expect(await sample(first, 'servicebay_sync_runs_total{status="succeeded"}')).toBe(1);
    expect(await sample(second, 'servicebay_sync_runs_total{status="succeeded"}')).toBe(0);
  });

  it("exports every series from the start", async () => {
    const text = await createSyncMetrics().registry.metrics();
    for (const status of ["succeeded", "failed", "interrupted", "needs_review", "locked"]) {
      expect(text).toContain(`servicebay_sync_runs_total{status="${status}"} 0`);
    }
    for (const change of ["inserted", "updated", "deleted", "undeleted", "unchanged"]) {
      expect(text).toContain(`servicebay_sync_tickets_total{change="${change}"} 0`);
    }
    expect(text).toContain("servicebay_sync_api_rate_limited_total 0");
    expect(text).toContain("servicebay_sync_last_success_timestamp_seconds 0");
    expect(text).toContain("# TYPE servicebay_sync_run_duration_seconds histogram");
    expect(text).toContain("# TYPE servicebay_sync_api_rate_limit_remaining gauge");
  });

  it("includes process metrics on request", async () => {
    expect(await createSyncMetrics({ defaultMetrics: true }).registry.metrics()).toContain("process_cpu_user_seconds_total");
    expect(await createSyncMetrics().registry.metrics()).not.toContain("process_cpu_user_seconds_total");
  });

  it("counts responses by status code", async () => {
    const metrics = createSyncMetrics();
    metrics.onResponse({ status: 200, durationMs: 5, rateLimitRemaining: 99, rateLimitLimit: 100 });
    metrics.onResponse({ status: 429, durationMs: 5, rateLimitRemaining: 0, rateLimitLimit: 100 });
    metrics.onResponse({ status: 200, durationMs: 5, rateLimitRemaining: null, rateLimitLimit: null });

    expect(await sample(metrics, 'servicebay_sync_api_requests_total{status_code="200"}')).toBe(2);
    expect(await sample(metrics, 'servicebay_sync_api_requests_total{status_code="429"}')).toBe(1);
    expect(await sample(metrics, "servicebay_sync_api_rate_limited_total")).toBe(1);
    // A response without the header leaves the last known value.
    expect(await sample(metrics, "servicebay_sync_api_rate_limit_remaining")).toBe(0);
  });

  it("counts retries by reason", async () => {
    const metrics = createSyncMetrics();
    metrics.onRetry({ attempt: 2, status: 503, reason: "server_error", waitMs: 100 });
    metrics.onRetry({ attempt: 3, status: 503, reason: "server_error", waitMs: 200 });
    metrics.onRetry({ attempt: 2, status: null, reason: "timeout", waitMs: 100 });

    expect(await sample(metrics, 'servicebay_sync_api_retries_total{reason="server_error"}')).toBe(2);
    expect(await sample(metrics, 'servicebay_sync_api_retries_total{reason="timeout"}')).toBe(1);
  });

  it("counts tickets page by page", async () => {
    const metrics = createSyncMetrics();
    metrics.onRunStarted({ runId: 7, resumed: false, counters: emptyRunCounters() });
    metrics.onPage({ runId: 7, page: 1, rateLimitRemaining: null, counters: counters({ inserted: 100 }) });
    expect(await sample(metrics, 'servicebay_sync_tickets_total{change="inserted"}')).toBe(100);

    metrics.onPage({ runId: 7, page: 2, rateLimitRemaining: null, counters: counters({ inserted: 150, updated: 40, unchanged: 10 }) });
    metrics.observeRun(result({ runId: 7, counters: counters({ inserted: 150, updated: 40, unchanged: 10, deleted: 3 }) }));

    expect(await sample(metrics, 'servicebay_sync_tickets_total{change="inserted"}')).toBe(150);
    expect(await sample(metrics, 'servicebay_sync_tickets_total{change="updated"}')).toBe(40);
    expect(await sample(metrics, 'servicebay_sync_tickets_total{change="unchanged"}')).toBe(10);
    expect(await sample(metrics, 'servicebay_sync_tickets_total{change="deleted"}')).toBe(3);
  });

  it("skips counts of a resumed run's earlier attempts", async () => {
    const metrics = createSyncMetrics();
    metrics.onRunStarted({ runId: 8, resumed: true, counters: counters({ inserted: 500 }) });
    metrics.onPage({ runId: 8, page: 6, rateLimitRemaining: null, counters: counters({ inserted: 600 }) });
    metrics.observeRun(result({ runId: 8, resumed: true, counters: counters({ inserted: 600 }) }));

    expect(await sample(metrics, 'servicebay_sync_tickets_total{change="inserted"}')).toBe(100);
  });

  it("observes durations and outcomes", async () => {
    const metrics = createSyncMetrics();
    metrics.observeRun(result({ outcome: "failed", durationMs: 2500, error: "boom" }));
    metrics.observeRun(result({ outcome: "locked", runId: null, counters: null, durationMs: 10 }));

    expect(await sample(metrics, 'servicebay_sync_runs_total{status="failed"}')).toBe(1);
    expect(await sample(metrics, 'servicebay_sync_runs_total{status="locked"}')).toBe(1);
    expect(await sample(metrics, 'servicebay_sync_run_duration_seconds_sum{status="failed"}')).toBe(2.5);
    expect(await sample(metrics, 'servicebay_sync_run_duration_seconds_bucket{le="5",status="failed"}')).toBe(1);
    expect(await sample(metrics, 'servicebay_sync_run_duration_seconds_bucket{le="1",status="failed"}')).toBe(0);
    expect(await sample(metrics, "servicebay_sync_last_success_timestamp_seconds")).toBe(0);
  });

  it("sets the last success time", async () => {
    const metrics = createSyncMetrics();
    metrics.setLastSuccess(new Date("2026-01-01T00:00:00Z"));
    expect(await sample(metrics, "servicebay_sync_last_success_timestamp_seconds")).toBe(1_767_225_600);

    const before = Date.now() / 1000;
    metrics.observeRun(result({}));
    expect(await sample(metrics, "servicebay_sync_last_success_timestamp_seconds")).toBeGreaterThanOrEqual(before);
  });
});

describe("metrics of a real sync", () => {
  const harness = useHarness({ tickets: 250, faults: { rateLimitBurst: 2 } });

  it("match the run's counters", async () => {
    const metrics = createSyncMetrics();
    const sync = await harness.sync({
      api: { onResponse: metrics.onResponse, onRetry: metrics.onRetry },
      onRunStarted: metrics.onRunStarted,
      onPage: metrics.onPage,
    });
    metrics.observeRun(sync);

    expect(sync.outcome).toBe("succeeded");
    expect(await sample(metrics, 'servicebay_sync_tickets_total{change="inserted"}')).toBe(250);
    expect(await sample(metrics, 'servicebay_sync_api_requests_total{status_code="200"}')).toBe(3);
    expect(await sample(metrics, 'servicebay_sync_api_requests_total{status_code="429"}')).toBe(2);
    expect(await sample(metrics, "servicebay_sync_api_rate_limited_total")).toBe(2);
    expect(await sample(metrics, 'servicebay_sync_api_retries_total{reason="rate_limited"}')).toBe(2);
    expect(sync.counters?.retries).toBe(2);
    expect(await sample(metrics, 'servicebay_sync_runs_total{status="succeeded"}')).toBe(1);
  });
});
