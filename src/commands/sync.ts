import type pg from "pg";

import { databasePasswords, redactDatabaseUrl, type SyncConfig } from "../config.js";
import { runMigrations } from "../db/migrate.js";
import { createPool } from "../db/pool.js";
import { EXIT_CODES, type ExitCode } from "../exit-codes.js";
import type { Logger } from "../logger.js";
import { readLastSuccessfulRun } from "../worker/health-queries.js";
import { createProgressReporter, type ProgressReporter } from "../worker/progress.js";
import { redactSecrets } from "../worker/errors.js";
import { runSync, type SyncOptions, type SyncOutcome } from "../worker/sync-run.js";
import { loadCommandConfig, loggerFromConfig, onStopSignal } from "./shared.js";

export const EXIT_CODE_BY_OUTCOME: Record<SyncOutcome, ExitCode> = {
  succeeded: EXIT_CODES.success,
  failed: EXIT_CODES.failure,
  interrupted: EXIT_CODES.interrupted,
  needs_review: EXIT_CODES.needsReview,
  locked: EXIT_CODES.locked,
};

/** Builds the run options every command derives from the same configuration. */
export function syncOptionsFromConfig(config: SyncConfig, pool: pg.Pool, logger: Logger): SyncOptions {
  return {
    pool,
    logger,
    orgId: config.SERVICEBAY_ORG_ID,
    api: {
      baseUrl: config.SERVICEBAY_BASE_URL,
      apiKey: config.SERVICEBAY_API_KEY,
      requestTimeoutMs: config.SYNC_REQUEST_TIMEOUT_SECONDS * 1000,
      maxRetrySeconds: config.SYNC_MAX_RETRY_SECONDS,
    },
    resumeMaxAgeMs: config.SYNC_RESUME_MAX_AGE,
    maxDeleteFraction: config.SYNC_MAX_DELETE_FRACTION,
    secrets: databasePasswords(config.DATABASE_URL),
  };
}

/** Runs `servicebay-sync sync`: migrations, then one sync run; resolves to the exit code. */
export async function syncCommand(options: { allowMassDelete: boolean; wait: boolean }): Promise<number> {
  const config = loadCommandConfig("sync");
  const logger = loggerFromConfig(config);
  const pool = createPool(config.DATABASE_URL, logger);
  const controller = new AbortController();

  const removeSignalHandlers = onStopSignal(() => controller.abort(), logger);

  try {
    await runMigrations(pool, logger);
    const progress = await createTerminalProgress(pool, config.SERVICEBAY_ORG_ID, logger);
    const result = await runSync({
      ...syncOptionsFromConfig(config, pool, progress ? loggerClearingProgress(logger, progress) : logger),
      allowMassDelete: options.allowMassDelete,
      waitForLock: options.wait,
      signal: controller.signal,
      ...(progress ? { onRunStarted: progress.onRunStarted, onPage: progress.onPage } : {}),
    }).finally(() => progress?.clear());

    if (result.error) process.stderr.write(`servicebay-sync: ${result.error}\n`);
    return EXIT_CODE_BY_OUTCOME[result.outcome];
  } catch (error) {
    // Reached when the database cannot be used at all (unreachable, migrations failed).
    const message = redactSecrets(error instanceof Error ? error.message : String(error), databasePasswords(config.DATABASE_URL));
    logger.error({ err: { message }, database: redactDatabaseUrl(config.DATABASE_URL) }, "sync could not start");
    process.stderr.write(`servicebay-sync: sync could not start: ${message}\n`);
    return EXIT_CODES.failure;
  } finally {
    removeSignalHandlers();
    await pool.end().catch(() => undefined);
  }
}

/**
 * Creates the progress line when standard error is a terminal, with the previous successful
 * run's job count as the basis of the ETA. Returns null otherwise, so pipes and log files get
 * no progress output.
 */
async function createTerminalProgress(pool: pg.Pool, orgId: string, logger: Logger): Promise<ProgressReporter | null> {
  if (process.stderr.isTTY !== true) return null;

  let expectedTickets: number | null = null;
  try {
    expectedTickets = (await readLastSuccessfulRun(pool, orgId))?.ticketsSeen ?? null;
  } catch (error) {
    logger.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, "could not read the previous run for the progress estimate");
  }
  return createProgressReporter({ stream: process.stderr, expectedTickets });
}

/**
 * Returns a logger that clears the progress line before each log line it writes, because the
 * two share the terminal and a log line would otherwise start in the middle of the progress.
 */
function loggerClearingProgress(logger: Logger, progress: ProgressReporter): Logger {
  return logger.child({}, {
    formatters: {
      log: (object) => {
        progress.clear();
        return object;
      },
    },
  });
}
