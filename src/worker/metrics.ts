import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

import type { RunCounters } from "../db/runs.js";
import type { ResponseEvent } from "../servicebay/client.js";
import type { RetryEvent } from "../servicebay/retry.js";
import type { PageProgress } from "./scan.js";
import type { RunStart, SyncOutcome, SyncResult } from "./sync-run.js";

/** Every outcome of runSync, so each `status` series exists from the start and `increase()` counts the first run. */
const RUN_OUTCOMES = ["succeeded", "failed", "interrupted", "needs_review", "locked"] as const satisfies readonly SyncOutcome[];

/** Ticket counters of a run that the tickets counter exports, each as one `change` label value. */
const TICKET_CHANGES = ["inserted", "updated", "deleted", "undeleted", "unchanged"] as const satisfies readonly (keyof RunCounters)[];

/** Run durations in seconds: from a quick incremental run to a first sync of a large organisation. */
const RUN_DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];

export interface SyncMetrics {
  /** The registry that holds only this instance's metrics; serve it with `registry.metrics()`. */
  registry: Registry;
  /** Hooks for ServicebayClient, passed through `SyncOptions.api`. */
  onResponse(event: ResponseEvent): void;
  onRetry(event: RetryEvent): void;
  /** Hooks for runSync: counts tickets page by page, so a long run shows progress. */
  onRunStarted(run: RunStart): void;
  onPage(progress: PageProgress): void;
  /** Counts the run by outcome, observes its duration and adds the counts not seen per page. */
  observeRun(result: SyncResult): void;
  /** Sets the last-success gauge, for example from the database at startup. */
  setLastSuccess(at: Date): void;
}

/**
 * Creates the worker's Prometheus metrics in a registry of their own, so several instances (one
 * per test) never collide in prom-client's global registry.
 */
export function createSyncMetrics(options: { defaultMetrics?: boolean } = {}): SyncMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });

  const runs = new Counter({
    name: "servicebay_sync_runs_total",
    help: "Sync runs by outcome: succeeded, failed, interrupted, needs_review or locked (skipped).",
    labelNames: ["status"],
    registers: [registry],
  });
  const tickets = new Counter({
    name: "servicebay_sync_tickets_total",
    help: "Tickets processed by sync runs, by change: inserted, updated, deleted, undeleted or unchanged.",
    labelNames: ["change"],
    registers: [registry],
  });
  const requests = new Counter({
    name: "servicebay_sync_api_requests_total",
    help: "HTTP responses received from the Servicebay API, by status code.",
    labelNames: ["status_code"],
    registers: [registry],
  });
  const retries = new Counter({
    name: "servicebay_sync_api_retries_total",
    help: "Retried Servicebay API requests, by reason of the failed attempt.",
    labelNames: ["reason"],
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: "servicebay_sync_api_rate_limited_total",
    help: "Servicebay API responses with status 429 (rate limit exceeded).",
    registers: [registry],
  });
  const rateLimitRemaining = new Gauge({
    name: "servicebay_sync_api_rate_limit_remaining",
    help: "Requests left in the current rate-limit window, from the X-RateLimit-Remaining header of the last response.",
    registers: [registry],
  });
  const runDuration = new Histogram({
    name: "servicebay_sync_run_duration_seconds",
    help: "Duration of sync runs in this process, by outcome, in seconds.",
    labelNames: ["status"],
    buckets: RUN_DURATION_BUCKETS,
    registers: [registry],
  });
  const lastSuccess = new Gauge({
    name: "servicebay_sync_last_success_timestamp_seconds",
    help: "When the last successful sync run finished, in Unix seconds; 0 until one is known.",
    registers: [registry],
  });

  // The counters each run had when last counted. A resumed run starts from the counts of its
  // earlier attempts, which were counted then (or by another process), so only differences count.
  const countedByRun = new Map<number, RunCounters>();

  const countTickets = (runId: number, counters: RunCounters) => {
    const counted = countedByRun.get(runId);
    for (const change of TICKET_CHANGES) {
      const delta = counters[change] - (counted?.[change] ?? 0);
      if (delta > 0) tickets.inc({ change }, delta);
    }
    countedByRun.set(runId, { ...counters });
  };

  for (const status of RUN_OUTCOMES) runs.inc({ status }, 0);
  for (const change of TICKET_CHANGES) tickets.inc({ change }, 0);
  rateLimited.inc(0);

  return {
    registry,
    onResponse(event) {
      requests.inc({ status_code: String(event.status) });
      if (event.status === 429) rateLimited.inc();
      if (event.rateLimitRemaining !== null) rateLimitRemaining.set(event.rateLimitRemaining);
    },
    onRetry(event) {
      retries.inc({ reason: event.reason });
    },
    onRunStarted(run) {
      countedByRun.set(run.runId, { ...run.counters });
    },
    onPage(progress) {
      countTickets(progress.runId, progress.counters);
    },
    observeRun(result) {
      runs.inc({ status: result.outcome });
      runDuration.observe({ status: result.outcome }, result.durationMs / 1000);
      if (result.runId !== null) {
        if (result.counters) countTickets(result.runId, result.counters);
        countedByRun.delete(result.runId);
      }
      if (result.outcome === "succeeded") lastSuccess.set(Date.now() / 1000);
    },
    setLastSuccess(at) {
      lastSuccess.set(at.getTime() / 1000);
    },
  };
}
