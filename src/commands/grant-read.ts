import type pg from "pg";

import { runMigrations } from "../db/migrate.js";
import { connectClient, createPool, describeDatabaseError } from "../db/pool.js";
import { EXIT_CODES } from "../exit-codes.js";
import type { Logger } from "../logger.js";
import { loadCommandConfig, loggerFromConfig } from "./shared.js";
import type { CommandOutput } from "./report.js";

/** PostgreSQL truncates identifiers to NAMEDATALEN - 1 = 63 bytes; one ASCII character is one byte. */
const MAX_ROLE_NAME_LENGTH = 63;
const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INSUFFICIENT_PRIVILEGE = "42501";

/** Raised when the role cannot be granted access because of what was requested; exit code 2. */
export class GrantReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GrantReadError";
  }
}

/** Returns why `role` is not a plain identifier, or null when it is one. */
export function checkRoleName(role: string): string | null {
  if (PLAIN_IDENTIFIER.test(role) && role.length <= MAX_ROLE_NAME_LENGTH) return null;
  return (
    `Invalid role name ${JSON.stringify(role)}: use a plain identifier of ASCII letters, digits and ` +
    `underscores that does not start with a digit, at most ${MAX_ROLE_NAME_LENGTH} characters.`
  );
}

export interface GrantSummary {
  /** Tables and views in schema servicebay the role can now read. */
  relations: number;
  /** The role whose future tables and views the default privileges cover: the connected role. */
  grantor: string;
}

/**
 * Grants `role` read access to schema servicebay in one transaction: USAGE on the schema, SELECT
 * on every table and view in it, and default privileges so tables and views created later get
 * SELECT too. Default privileges cover only objects created by the role that runs this, so run
 * it as the role that runs migrations. Throws GrantReadError when the role does not exist.
 */
export async function grantReadAccess(client: pg.ClientBase, role: string): Promise<GrantSummary> {
  const problem = checkRoleName(role);
  if (problem) throw new GrantReadError(problem);
  await assertRoleExists(client, role);

  // The name is a checked plain identifier, and it is quoted anyway so its case is kept.
  const quoted = client.escapeIdentifier(role);
  await client.query("BEGIN");
  try {
    await client.query(`GRANT USAGE ON SCHEMA servicebay TO ${quoted}`);
    await client.query(`GRANT SELECT ON ALL TABLES IN SCHEMA servicebay TO ${quoted}`);
    await client.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA servicebay GRANT SELECT ON TABLES TO ${quoted}`);
    const summary = await client.query<GrantSummary>(
      `SELECT count(*)::int AS relations, current_user AS grantor
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'servicebay' AND c.relkind IN ('r', 'v', 'm', 'p', 'f')`,
    );
    await client.query("COMMIT");
    return summary.rows[0] ?? { relations: 0, grantor: "" };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    if (describeDatabaseError(error).code === INSUFFICIENT_PRIVILEGE) {
      throw new GrantReadError(
        `Permission denied while granting read access (${describeDatabaseError(error).message}). ` +
          `Run grant-read with the DATABASE_URL of the role that owns schema servicebay, the one that runs migrations.`,
      );
    }
    throw error;
  }
}

async function assertRoleExists(client: pg.ClientBase, role: string): Promise<void> {
  const found = await client.query<{ rolname: string }>(
    "SELECT rolname FROM pg_roles WHERE rolname = $1 OR rolname = lower($1)",
    [role],
  );
  const exact = found.rows.find((row) => row.rolname === role);
  if (exact) return;

  // CREATE ROLE without quotes folds the name to lower case, a common source of this error.
  const folded = found.rows[0]?.rolname;
  const hint = folded ? ` A role "${folded}" exists: role names are case-sensitive, so pass ${folded}.` : "";
  const quoted = client.escapeIdentifier(role);
  throw new GrantReadError(`Role "${role}" does not exist. Create it first, for example with CREATE ROLE ${quoted} LOGIN PASSWORD '...'.${hint}`);
}

/**
 * Runs `servicebay-sync grant-read ROLE`: checks the name, applies migrations so every view
 * exists, then grants read access. Resolves to the exit code: 2 for an invalid or missing role.
 */
export async function grantReadCommand(role: string, output: CommandOutput = process): Promise<number> {
  const problem = checkRoleName(role);
  if (problem) {
    output.stderr.write(`servicebay-sync: ${problem}\n`);
    return EXIT_CODES.configError;
  }

  const config = loadCommandConfig("database");
  const logger = loggerFromConfig(config);
  const pool = createPool(config.DATABASE_URL, logger, { max: 1 });
  try {
    await runMigrations(pool, logger);
    const summary = await grantWithClient(pool, logger, role);
    logger.info({ role, relations: summary.relations, grantor: summary.grantor }, "read access granted");
    output.stdout.write(
      `Granted role "${role}" USAGE on schema servicebay and SELECT on its ${summary.relations} tables and views, ` +
        `and on tables and views that role "${summary.grantor}" creates there later.\n`,
    );
    return EXIT_CODES.success;
  } catch (error) {
    logger.error({ role, err: describeDatabaseError(error) }, "grant-read failed");
    const message = error instanceof Error ? error.message : String(error);
    output.stderr.write(`servicebay-sync: ${error instanceof GrantReadError ? message : `grant-read failed: ${message}`}\n`);
    return error instanceof GrantReadError ? EXIT_CODES.configError : EXIT_CODES.failure;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

async function grantWithClient(pool: pg.Pool, logger: Logger, role: string): Promise<GrantSummary> {
  const client = await connectClient(pool, logger);
  try {
    return await grantReadAccess(client, role);
  } finally {
    client.release();
  }
}
