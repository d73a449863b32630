import type pg from "pg";

import { connectClient, describeDatabaseError } from "../db/pool.js";
import { lockOrganisation, tryLockOrganisation, unlockOrganisation } from "../db/locks.js";
import type { RunCounters, SyncRunRow } from "../db/runs.js";
import { createRun, finishRun, getLatestRun, markRunResumed, updateRun } from "../db/runs.js";
import type { Logger } from "../logger.js";
import { ServicebayClient, type ServicebayClientOptions } from "../servicebay/client.js";
import { detectDeletions } from "./deletions.js";
import { RunInterruptedError, SuspiciousScanError, redactSecrets } from "./errors.js";
import { scanAllPages, type PageProgress } from "./scan.js";

export type SyncOutcome = "succeeded" | "failed" | "interrupted" | "needs_review" | "locked";

export interface SyncOptions {
  pool: pg.Pool;
  logger: Logger;
  orgId: string;
  /** Client settings except the organisation, logger and signal, which the run supplies. */
  api: Omit<ServicebayClientOptions, "orgId" | "logger" | "signal">;
  /** A failed or killed run younger than this is resumed; an older one is abandoned. */
  resumeMaxAgeMs: number;
  maxDeleteFraction: number;
  allowMassDelete?: boolean;
  /** Wait for another run of the organisation to finish instead of returning "locked". */
  waitForLock?: boolean;
  /** Aborting it interrupts the run after the page being written. */
  signal?: AbortSignal;
  /** Values that must never reach a log line or `sync_runs.error`, such as the database password. */
  secrets?: string[];
  onPage?: (progress: PageProgress) => void;
  /** Called once the run is started or resumed, before its first page is requested. */
  onRunStarted?: (run: RunStart) => void;
}

/** The run a sync works on, with the counters it starts from (non-zero when resumed). */
export interface RunStart {
  runId: number;
  resumed: boolean;
  counters: RunCounters;
}

export interface SyncResult {
  outcome: SyncOutcome;
  runId: number | null;
  resumed: boolean;
  counters: RunCounters | null;
  error: string | null;
  durationMs: number;
}

/**
 * Performs one sync run of an organisation: takes its advisory lock, resumes or starts a run,
 * scans every page, detects deletions after a complete scan, and records how it ended. Failures
 * are returned, not thrown, so callers map them to exit codes.
 */
export async function runSync(options: SyncOptions): Promise<SyncResult> {
  const startedAt = Date.now();
  const { logger, orgId } = options;
  const secrets = [options.api.apiKey, ...(options.secrets ?? [])];
  const result = (outcome: SyncOutcome, fields: Partial<SyncResult> = {}): SyncResult => ({
    outcome, runId: null, resumed: false, counters: null, error: null, durationMs: Date.now() - startedAt, ...fields,
  });

  const client = await connectClient(options.pool, logger);
  try {
    let locked = await tryLockOrganisation(client, orgId);
    if (!locked && options.waitForLock) {
      logger.info({ orgId }, "another sync run of this organisation holds the lock; waiting for it");
      await lockOrganisation(client, orgId);
      locked = true;
    }
    if (!locked) {
      logger.warn({ orgId }, "another sync run of this organisation holds the lock; skipping");
      return result("locked", { error: `Another sync run of organisation ${orgId} is in progress; this one was skipped.` });
    }

    try {
      return await runLocked(client, options, secrets, result);
    } finally {
      await unlockOrganisation(client, orgId).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}

async function runLocked(
  client: pg.PoolClient,
  options: SyncOptions,
  secrets: string[],
  result: (outcome: SyncOutcome, fields?: Partial<SyncResult>) => SyncResult,
): Promise<SyncResult> {
  const { logger, orgId } = options;
  const { run, resumed } = await startOrResumeRun(client, options);
  const runLogger = logger.child({ runId: run.id, orgId });
  runLogger.info({ resumed, cursor: run.cursor, resumeCount: run.resumeCount + (resumed ? 1 : 0) }, "sync run started");
  options.onRunStarted?.({ runId: run.id, resumed, counters: run.counters });

  // Aborted when the run fails, so a page fetched ahead is not left running.
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const api = new ServicebayClient({ ...options.api, orgId, logger: runLogger, signal });
  let counters = run.counters;

  try {
    counters = await scanAllPages({
      client, api, run, logger: runLogger, signal: options.signal, onPage: options.onPage,
      onCommitted: (latest) => { counters = latest; },
    });

    // detectDeletions adds to the counters it is given. A copy keeps `counters` at the
    // committed values if it fails, because the catch below saves them.
    const withDeletions = { ...counters };
    const deletion = await detectDeletions(client, {
      orgId, runId: run.id, maxDeleteFraction: options.maxDeleteFraction,
      allowMassDelete: options.allowMassDelete === true, counters: withDeletions, logger: runLogger,
    });
    counters = withDeletions;

    if (deletion.kind === "needs_review") {
      await finishRun(client, run.id, "needs_review", deletion.message);
      runLogger.error(
        { status: "needs_review", unlisted: deletion.unlisted, live: deletion.live, ...counters, runDurationMs: Date.now() - run.startedAt.getTime() },
        "sync run needs review: mass deletion held back",
      );
      return result("needs_review", { runId: run.id, resumed, counters, error: deletion.message });
    }

    await finishRun(client, run.id, "succeeded", null);
    const durationMs = Date.now() - run.startedAt.getTime();
    runLogger.info({ status: "succeeded", ...counters, deletionCheck: deletion.kind, runDurationMs: durationMs }, "sync run finished");
    return result("succeeded", { runId: run.id, resumed, counters });
  } catch (error) {
    controller.abort();
    const interrupted = error instanceof RunInterruptedError || (options.signal?.aborted ?? false);
    const status = interrupted ? "interrupted" : "failed";
    const message = redactSecrets(error instanceof Error ? error.message : String(error), secrets);
    // Requests since the last committed page count too, such as the retries that spent the budget.
    counters = withRequestsSince(run.counters, counters, api);

    await recordRunEnd(client, run.id, status, message, counters).catch(async (recordError: unknown) => {
      runLogger.error({ err: describeDatabaseError(recordError) }, "could not record the end of the sync run");
      await recordEndOnNewConnection(options, run.id, status, message, counters, runLogger);
    });
    const level = interrupted ? "warn" : "error";
    runLogger[level](
      { status, error: message, suspicious: error instanceof SuspiciousScanError, ...counters, runDurationMs: Date.now() - run.startedAt.getTime() },
      "sync run ended early",
    );
    return result(interrupted ? "interrupted" : "failed", { runId: run.id, resumed, counters, error: message });
  }
}

/** Returns the counters with the request statistics of this process added to those the run started with. */
function withRequestsSince(start: RunCounters, counters: RunCounters, api: ServicebayClient): RunCounters {
  const { requests, retries, rateLimited } = api.stats;
  return {
    ...counters,
    requests: start.requests + requests,
    retries: start.retries + retries,
    rateLimited: start.rateLimited + rateLimited,
  };
}

/** Saves the counters of a run that ended early, then its status and error. */
async function recordRunEnd(
  client: pg.ClientBase,
  runId: number,
  status: "failed" | "interrupted",
  message: string,
  counters: RunCounters,
): Promise<void> {
  await updateRun(client, runId, {}, counters);
  await finishRun(client, runId, status, message);
}

/**
 * Records how a run ended over a new connection, for when the run's own connection died. The
 * dead session's advisory lock is gone, so the lock is taken again first. When another sync
 * has already taken it, that sync owns the run, and the row is left alone.
 */
async function recordEndOnNewConnection(
  options: SyncOptions,
  runId: number,
  status: "failed" | "interrupted",
  message: string,
  counters: RunCounters,
  logger: Logger,
): Promise<void> {
  try {
    const client = await connectClient(options.pool, logger);
    try {
      if (!(await tryLockOrganisation(client, options.orgId))) return;
      try {
        await recordRunEnd(client, runId, status, message, counters);
        logger.info({ status }, "recorded the end of the sync run on a new database connection");
      } finally {
        await unlockOrganisation(client, options.orgId).catch(() => undefined);
      }
    } finally {
      client.release();
    }
  } catch (error) {
    logger.error({ err: describeDatabaseError(error) }, "could not record the end of the sync run on a new database connection");
  }
}

/**
 * Resumes the organisation's last run when it stopped before finishing and is recent enough.
 * A run still marked `running` is dead, because this process holds the advisory lock.
 * Otherwise starts a new run and closes a stale unfinished one as `abandoned`.
 */
async function startOrResumeRun(client: pg.ClientBase, options: SyncOptions): Promise<{ run: SyncRunRow; resumed: boolean }> {
  const latest = await getLatestRun(client, options.orgId);
  const unfinished = latest && ["running", "failed", "interrupted"].includes(latest.status);

  if (latest && unfinished) {
    // Measured from the last sign of life, so a long scan stopped a minute ago still resumes.
    const ageMs = Date.now() - latest.heartbeatAt.getTime();
    if (ageMs < options.resumeMaxAgeMs) {
      await markRunResumed(client, latest.id, options.allowMassDelete === true);
      return { run: { ...latest, resumeCount: latest.resumeCount }, resumed: true };
    }
    const reason = `Abandoned: it stopped more than SYNC_RESUME_MAX_AGE ago, so a new scan replaced it.${latest.error ? ` Last error: ${latest.error}` : ""}`;
    await finishRun(client, latest.id, "abandoned", reason);
    options.logger.warn({ orgId: options.orgId, runId: latest.id, ageMs }, "abandoned a stale unfinished sync run");
  }

  return { run: await createRun(client, options.orgId, options.allowMassDelete === true), resumed: false };
}
