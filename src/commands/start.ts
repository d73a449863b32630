import type pg from "pg";

import type { StartConfig } from "../config.js";
import { runMigrations } from "../db/migrate.js";
import { createPool } from "../db/pool.js";
import { EXIT_CODES } from "../exit-codes.js";
import type { Logger } from "../logger.js";
import { defaultHealthMaxAgeMs, HealthTracker } from "../worker/health.js";
import { readLastSuccessfulRun } from "../worker/health-queries.js";
import { startHealthServer, type RunningHealthServer } from "../worker/health-server.js";
import { createSyncMetrics, type SyncMetrics } from "../worker/metrics.js";
import { startScheduler, upcomingRunTimes, type Scheduler } from "../worker/scheduler.js";
import { runSync } from "../worker/sync-run.js";
import { loadCommandConfig, loggerFromConfig, onStopSignal } from "./shared.js";
import { syncOptionsFromConfig } from "./sync.js";

/** Scheduled runs looked at to find the longest gap of the schedule, for the default HEALTHZ_MAX_AGE. */
const RUNS_FOR_SCHEDULE_GAP = 20;

/**
 * Runs `servicebay-sync start`: syncs on SYNC_SCHEDULE until SIGTERM or SIGINT, and serves
 * /healthz and /metrics when METRICS_PORT is set. Resolves to the exit code once the run in
 * progress has ended.
 */
export async function startCommand(options: { runNow: boolean }): Promise<number> {
  const config = loadCommandConfig("start");
  const logger = loggerFromConfig(config);
  const pool = createPool(config.DATABASE_URL, logger);

  try {
    await runMigrations(pool, logger);
  } catch (error) {
    logger.error({ err: { message: error instanceof Error ? error.message : String(error) } }, "migrations failed; not starting");
    await pool.end().catch(() => undefined);
    return EXIT_CODES.failure;
  }

  const maxAgeMs = config.HEALTHZ_MAX_AGE ?? defaultHealthMaxAgeMs(await upcomingRunTimes(config.SYNC_SCHEDULE, config.SYNC_TIMEZONE, RUNS_FOR_SCHEDULE_GAP));
  let scheduler: Scheduler | undefined;
  const health = new HealthTracker({
    maxAgeMs,
    isSchedulerRunning: () => scheduler?.isRunning() ?? false,
    nextRunAt: () => scheduler?.nextRunAt() ?? null,
  });
  const metrics = createSyncMetrics({ defaultMetrics: true });
  await recordEarlierSuccess(pool, config.SERVICEBAY_ORG_ID, health, metrics, logger);

  let server: RunningHealthServer | undefined;
  if (config.METRICS_PORT !== undefined) {
    try {
      server = await startHealthServer({
        host: config.METRICS_HOST, port: config.METRICS_PORT, registry: metrics.registry, health: () => health.report(), logger,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.error({ err: { message }, host: config.METRICS_HOST, port: config.METRICS_PORT }, "could not serve /healthz and /metrics; not starting");
      process.stderr.write(`servicebay-sync: could not listen on ${config.METRICS_HOST}:${config.METRICS_PORT}: ${message}. Check METRICS_HOST and METRICS_PORT.\n`);
      await pool.end().catch(() => undefined);
      return EXIT_CODES.failure;
    }
  }
  logger.info({ healthzMaxAgeSeconds: Math.round(maxAgeMs / 1000), metricsPort: server?.port ?? null }, "worker started");

  scheduler = startScheduler({
    expression: config.SYNC_SCHEDULE,
    timezone: config.SYNC_TIMEZONE,
    logger,
    runNow: options.runNow,
    runOnce: (signal) => runMonitoredSync(config, pool, logger, signal, health, metrics),
  });

  let removeSignalHandlers = () => undefined as void;
  await new Promise<void>((resolve) => {
    removeSignalHandlers = onStopSignal(() => void scheduler.stop().then(resolve), logger);
  });
  removeSignalHandlers();
  await server?.close();
  await pool.end().catch(() => undefined);
  return EXIT_CODES.success;
}

/** Runs one sync and reports it to the health tracker and the metrics. */
async function runMonitoredSync(
  config: StartConfig,
  pool: pg.Pool,
  logger: Logger,
  signal: AbortSignal,
  health: HealthTracker,
  metrics: SyncMetrics,
) {
  const options = syncOptionsFromConfig(config, pool, logger);
  const startedAt = Date.now();
  health.runStarted();
  try {
    const result = await runSync({
      ...options,
      api: { ...options.api, onResponse: metrics.onResponse, onRetry: metrics.onRetry },
      signal,
      onRunStarted: metrics.onRunStarted,
      onPage: (progress) => {
        health.pageCommitted();
        metrics.onPage(progress);
      },
    });
    health.runFinished(result);
    metrics.observeRun(result);
    return result;
  } catch (error) {
    // runSync returns run failures as results; this is a failure to start a run at all, such
    // as an unreachable database. The scheduler logs it.
    const message = error instanceof Error ? error.message : String(error);
    const failed = { outcome: "failed" as const, runId: null, resumed: false, counters: null, error: message, durationMs: Date.now() - startedAt };
    health.runFinished(failed);
    metrics.observeRun(failed);
    throw error;
  }
}

/**
 * Seeds the last-success time from the database, so the gauge and /healthz do not forget a
 * success from before a restart. A failure only loses that seed, so it is logged and ignored.
 */
async function recordEarlierSuccess(pool: pg.Pool, orgId: string, health: HealthTracker, metrics: SyncMetrics, logger: Logger): Promise<void> {
  try {
    const last = await readLastSuccessfulRun(pool, orgId);
    if (!last) return;
    health.recordEarlierSuccess(last.finishedAt);
    metrics.setLastSuccess(last.finishedAt);
  } catch (error) {
    logger.warn({ err: { message: error instanceof Error ? error.message : String(error) }, orgId }, "could not read the last successful run");
  }
}
