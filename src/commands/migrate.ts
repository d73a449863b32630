import { redactDatabaseUrl } from "../config.js";
import { runMigrations } from "../db/migrate.js";
import { createPool } from "../db/pool.js";
import { EXIT_CODES } from "../exit-codes.js";
import { loadCommandConfig, loggerFromConfig } from "./shared.js";

/** Runs `servicebay-sync migrate`: applies pending migrations and exits. */
export async function migrateCommand(): Promise<number> {
  const config = loadCommandConfig("database");
  const logger = loggerFromConfig(config);
  const pool = createPool(config.DATABASE_URL, logger);
  try {
    await runMigrations(pool, logger);
    logger.info({ database: redactDatabaseUrl(config.DATABASE_URL) }, "migrations applied");
    return EXIT_CODES.success;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.error({ err: { message } }, "migrations failed");
    process.stderr.write(`servicebay-sync: migrations failed: ${message}\n`);
    return EXIT_CODES.failure;
  } finally {
    await pool.end().catch(() => undefined);
  }
}
