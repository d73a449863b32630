import pg from "pg";

import type { Logger } from "../logger.js";

/**
 * Creates a connection pool that survives a PostgreSQL restart. node-postgres emits `error` on
 * the pool when an idle connection dies, and an unhandled `error` event ends the process, so a
 * listener that only logs is required here.
 */
export function createPool(connectionString: string, logger: Logger, options: { max?: number } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 4,
    application_name: "servicebay-sync",
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });

  pool.on("error", (error) => {
    logger.warn({ err: describeDatabaseError(error) }, "idle database connection failed");
  });
  return pool;
}

/**
 * Checks out a client and guards it with an `error` listener for the time it is checked out:
 * a connection killed mid-run then fails the current query instead of crashing the process.
 */
export async function connectClient(pool: pg.Pool, logger: Logger): Promise<pg.PoolClient> {
  const client = await pool.connect();
  const onError = (error: Error) => logger.warn({ err: describeDatabaseError(error) }, "database connection failed");
  client.on("error", onError);

  const release = client.release.bind(client);
  client.release = (destroy?: boolean | Error) => {
    client.off("error", onError);
    return release(destroy);
  };
  return client;
}

/** Extracts the message and SQLSTATE of a database error for logging, never the connection string. */
export function describeDatabaseError(error: unknown): { message: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? { message: error.message, code } : { message: error.message };
  }
  return { message: String(error) };
}
