import { writeFile } from "node:fs/promises";

import { createPool, describeDatabaseError } from "../db/pool.js";
import { EXIT_CODES } from "../exit-codes.js";
import { createLogger, type Logger } from "../logger.js";
import { queryDurationStats, type DurationGroup } from "../report/durations.js";
import { emptyRangeMessage, formatCsv, formatJson, formatTable, type ReportScope } from "../report/format.js";
import { renderHtmlReport } from "../report/html.js";
import { ReportOptionError, resolveDayRange, type Grouping, type ReportFormat } from "../report/options.js";
import { loadCommandConfig } from "./shared.js";

export interface ReportDurationsOptions {
  by: Grouping;
  format: ReportFormat;
  since?: string;
  until?: string;
  /** Report one organisation; all organisations when absent. */
  org?: string;
  /** Path of the HTML page to write besides the output on stdout. */
  html?: string;
}

export interface CommandOutput {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** SQLSTATE codes the command explains instead of passing the server's message through. */
const UNDEFINED_TABLE = "42P01";
const INSUFFICIENT_PRIVILEGE = "42501";

/**
 * Runs `servicebay-sync report durations`: prints closed-job duration statistics per group and
 * optionally writes them as an HTML page. It only reads, so it runs no migrations and works
 * with a read-only role. Resolves to the exit code.
 */
export async function reportDurationsCommand(options: ReportDurationsOptions, output: CommandOutput = process): Promise<number> {
  let scope: ReportScope;
  try {
    scope = { by: options.by, range: resolveDayRange(options), orgId: options.org ?? null };
  } catch (error) {
    if (!(error instanceof ReportOptionError)) throw error;
    output.stderr.write(`servicebay-sync: ${error.message}\n`);
    return EXIT_CODES.configError;
  }

  const config = loadCommandConfig("database");
  // Logs go to stderr, so stdout carries only the report and can be piped into a file.
  const logger = createLogger({ level: config.LOG_LEVEL, destination: process.stderr });
  const pool = createPool(config.DATABASE_URL, logger, { max: 1 });
  try {
    const groups = await queryDurationStats(pool, scope);
    logger.debug({ by: scope.by, since: scope.range.since, until: scope.range.until, orgId: scope.orgId, groups: groups.length }, "duration report queried");

    output.stdout.write(formatOutput(groups, scope, options.format, output));
    if (options.html !== undefined) return await writeHtml(options.html, scope, groups, output, logger);
    return EXIT_CODES.success;
  } catch (error) {
    const message = explainFailure(error);
    logger.error({ err: describeDatabaseError(error) }, "duration report failed");
    output.stderr.write(`servicebay-sync: ${message}\n`);
    return EXIT_CODES.failure;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/**
 * Formats the groups for stdout. An empty range prints a sentence instead of a table; CSV and
 * JSON stay machine-readable (a header line, an empty array) and the sentence goes to stderr.
 */
function formatOutput(groups: DurationGroup[], scope: ReportScope, format: ReportFormat, output: CommandOutput): string {
  if (groups.length === 0 && format === "table") return `${emptyRangeMessage(scope)}\n`;
  if (groups.length === 0) output.stderr.write(`${emptyRangeMessage(scope)}\n`);

  switch (format) {
    case "table":
      return formatTable(groups, scope);
    case "csv":
      return formatCsv(groups, scope);
    case "json":
      return formatJson(groups, scope);
  }
}

async function writeHtml(path: string, scope: ReportScope, groups: DurationGroup[], output: CommandOutput, logger: Logger): Promise<number> {
  try {
    await writeFile(path, renderHtmlReport({ scope, groups, generatedAt: new Date() }), "utf8");
  } catch (error) {
    logger.error({ path, err: { message: error instanceof Error ? error.message : String(error) } }, "writing the HTML report failed");
    output.stderr.write(`servicebay-sync: could not write the HTML report to ${path}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_CODES.failure;
  }
  output.stderr.write(`Wrote ${path} (${groups.length} group${groups.length === 1 ? "" : "s"}).\n`);
  return EXIT_CODES.success;
}

function explainFailure(error: unknown): string {
  const { message, code } = describeDatabaseError(error);
  if (code === UNDEFINED_TABLE) {
    return `the view servicebay.closed_ticket_durations was not found (${message}). Run "servicebay-sync migrate" against this database first.`;
  }
  if (code === INSUFFICIENT_PRIVILEGE) {
    return `permission denied reading servicebay.closed_ticket_durations (${message}). Ask the database owner to run "servicebay-sync grant-read ROLE" for this role.`;
  }
  return `the duration report failed: ${message}`;
}
