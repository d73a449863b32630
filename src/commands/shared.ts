import { ConfigError, loadConfig, loadDotEnv, type ConfigScope } from "../config.js";
import { EXIT_CODES } from "../exit-codes.js";
import { createLogger, type Logger } from "../logger.js";

/**
 * Loads `.env` and the configuration of a command, or prints every problem and exits with the
 * configuration error code before anything connects.
 */
export function loadCommandConfig<S extends ConfigScope>(scope: S): ReturnType<typeof loadConfig<S>> {
  loadDotEnv();
  try {
    return loadConfig(scope);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(EXIT_CODES.configError);
    }
    throw error;
  }
}

export function loggerFromConfig(config: { LOG_LEVEL: string; LOG_FORMAT?: "json" | "pretty" | undefined }): Logger {
  return createLogger({ level: config.LOG_LEVEL, ...(config.LOG_FORMAT ? { format: config.LOG_FORMAT } : {}) });
}

/**
 * A stopping run gets this long to commit or roll back its page and record itself, so the
 * process ends within the 10 seconds a container platform usually waits before SIGKILL.
 */
export const STOP_GRACE_MS = 9_000;

/**
 * Calls `onStop` on the first SIGTERM or SIGINT and exits at once on the second, so an
 * operator can always get the process to end. If the process is still running STOP_GRACE_MS
 * after the first signal (a query blocked on a lock, say), it exits with the interrupted code.
 * Returns a function that removes the handlers.
 */
export function onStopSignal(onStop: (signal: NodeJS.Signals) => void, logger: Logger): () => void {
  let received = 0;
  const handler = (signal: NodeJS.Signals) => {
    received += 1;
    if (received > 1) {
      logger.warn({ signal }, "second stop signal received; exiting at once");
      process.exit(EXIT_CODES.interrupted);
    }
    logger.info({ signal }, "stop signal received; stopping after the page in flight");
    setTimeout(() => {
      logger.error({ graceMs: STOP_GRACE_MS }, "the run did not stop in time; exiting");
      process.exit(EXIT_CODES.interrupted);
    }, STOP_GRACE_MS).unref();
    onStop(signal);
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
  return () => {
    process.off("SIGTERM", handler);
    process.off("SIGINT", handler);
  };
}
