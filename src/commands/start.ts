import { runMigrations } from "../db/migrate.js";
import { createPool } from "../db/pool.js";
import { EXIT_CODES } from "../exit-codes.js";
import { startScheduler } from "../worker/scheduler.js";
import { runSync } from "../worker/sync-run.js";
import { loadCommandConfig, loggerFromConfig, onStopSignal } from "./shared.js";
import { syncOptionsFromConfig } from "./sync.js";

/**
 * Runs `servicebay-sync start`: syncs on SYNC_SCHEDULE until SIGTERM or SIGINT. Resolves to the
 * exit code once the run in progress has ended.
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

  const scheduler = startScheduler({
    expression: config.SYNC_SCHEDULE,
    timezone: config.SYNC_TIMEZONE,
    logger,
    runNow: options.runNow,
    runOnce: (signal) => runSync({ ...syncOptionsFromConfig(config, pool, logger), signal }),
  });

  let removeSignalHandlers = () => undefined as void;
  await new Promise<void>((resolve) => {
    removeSignalHandlers = onStopSignal(() => void scheduler.stop().then(resolve), logger);
  });
  removeSignalHandlers();
  await pool.end().catch(() => undefined);
  return EXIT_CODES.success;
}
