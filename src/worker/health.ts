import type { SyncOutcome, SyncResult } from "./sync-run.js";

/** Lower bound of the default HEALTHZ_MAX_AGE, so a frequent schedule tolerates a few slow runs. */
const MIN_DEFAULT_MAX_AGE_MS = 2 * 3_600_000;

/** The default age is this many times the longest gap between two scheduled runs. */
const SCHEDULE_GAPS_PER_MAX_AGE = 3;

/**
 * Returns the default HEALTHZ_MAX_AGE for a schedule: three times the longest gap between the
 * given upcoming run times, and at least two hours.
 */
export function defaultHealthMaxAgeMs(upcomingRuns: Date[]): number {
  let longestGapMs = 0;
  for (let index = 1; index < upcomingRuns.length; index += 1) {
    const gap = upcomingRuns[index]!.getTime() - upcomingRuns[index - 1]!.getTime();
    longestGapMs = Math.max(longestGapMs, gap);
  }
  return Math.max(MIN_DEFAULT_MAX_AGE_MS, SCHEDULE_GAPS_PER_MAX_AGE * longestGapMs);
}

export type HealthStatus = "ok" | "starting" | "syncing" | "stale" | "stopped";

export interface HealthReport {
  healthy: boolean;
  status: HealthStatus;
  /** Reason for the status, in one sentence. */
  reason: string;
  schedulerRunning: boolean;
  runInProgress: boolean;
  lastSuccessAt: string | null;
  lastSuccessAgeSeconds: number | null;
  lastRun: { outcome: SyncOutcome; finishedAt: string; error: string | null } | null;
  nextRunAt: string | null;
  maxAgeSeconds: number;
  uptimeSeconds: number;
}

export interface HealthTrackerOptions {
  /** A successful run older than this makes the worker unhealthy, in ms. */
  maxAgeMs: number;
  isSchedulerRunning: () => boolean;
  nextRunAt: () => Date | null;
  now?: () => number;
}

/**
 * Tracks the runs of a long-running worker and decides whether it is healthy.
 *
 * The worker is healthy while the scheduler runs and one of these holds:
 * - the last successful run finished less than `maxAgeMs` ago;
 * - a run is in progress and started or committed a page less than `maxAgeMs` ago, so a first
 *   sync of a large organisation is not restarted by a liveness probe;
 * - the process started less than `maxAgeMs` ago (the grace period before the first success).
 */
export class HealthTracker {
  readonly #options: HealthTrackerOptions;
  readonly #now: () => number;
  readonly #startedAt: number;
  #lastSuccessAt: number | null = null;
  #lastActivityAt: number | null = null;
  #runInProgress = false;
  #lastRun: HealthReport["lastRun"] = null;

  constructor(options: HealthTrackerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
  }

  /** Records a success known from before this process started, such as the database's last one. */
  recordEarlierSuccess(at: Date): void {
    if (this.#lastSuccessAt === null || at.getTime() > this.#lastSuccessAt) this.#lastSuccessAt = at.getTime();
  }

  runStarted(): void {
    this.#runInProgress = true;
    this.#lastActivityAt = this.#now();
  }

  /** Records that a run committed a page, which proves a long run is still moving. */
  pageCommitted(): void {
    this.#lastActivityAt = this.#now();
  }

  runFinished(result: SyncResult): void {
    const now = this.#now();
    this.#runInProgress = false;
    this.#lastRun = { outcome: result.outcome, finishedAt: new Date(now).toISOString(), error: result.error };
    if (result.outcome === "succeeded") this.#lastSuccessAt = now;
  }

  report(): HealthReport {
    const now = this.#now();
    const { maxAgeMs } = this.#options;
    const schedulerRunning = this.#options.isSchedulerRunning();
    const successAgeMs = this.#lastSuccessAt === null ? null : now - this.#lastSuccessAt;
    const uptimeMs = now - this.#startedAt;

    const base = {
      schedulerRunning,
      runInProgress: this.#runInProgress,
      lastSuccessAt: this.#lastSuccessAt === null ? null : new Date(this.#lastSuccessAt).toISOString(),
      lastSuccessAgeSeconds: successAgeMs === null ? null : Math.round(successAgeMs / 1000),
      lastRun: this.#lastRun,
      nextRunAt: this.#options.nextRunAt()?.toISOString() ?? null,
      maxAgeSeconds: Math.round(maxAgeMs / 1000),
      uptimeSeconds: Math.round(uptimeMs / 1000),
    };
    const verdict = (healthy: boolean, status: HealthStatus, reason: string): HealthReport => ({ healthy, status, reason, ...base });

    if (!schedulerRunning) return verdict(false, "stopped", "The scheduler has stopped; the worker is shutting down.");
    if (successAgeMs !== null && successAgeMs <= maxAgeMs) {
      return verdict(true, "ok", "The last successful sync run is within the maximum age.");
    }
    if (this.#runInProgress && this.#lastActivityAt !== null && now - this.#lastActivityAt <= maxAgeMs) {
      return verdict(true, "syncing", "A sync run is in progress and committed a page within the maximum age.");
    }
    if (uptimeMs <= maxAgeMs) {
      return verdict(true, "starting", "No successful sync run yet; the worker is within its grace period after startup.");
    }
    const reason =
      successAgeMs === null
        ? "No sync run has succeeded since the worker started."
        : "The last successful sync run is older than the maximum age.";
    return verdict(false, "stale", reason);
  }
}
