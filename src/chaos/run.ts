/**
 * `npm run chaos`: the chaos run at full size. It uses the PostgreSQL server of
 * TEST_DATABASE_URL or DATABASE_URL (a superuser connection, because it creates and drops a
 * scratch database), or else an embedded PostgreSQL. It prints the report table and exits
 * with 0 only when the mirror matches the simulator.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { runChaos } from "./chaos.js";
import { formatChaosTable } from "./table.js";

const CLI_PATH = fileURLToPath(new URL("../cli.js", import.meta.url));

const configuredUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
let stopEmbedded: (() => Promise<void>) | undefined;
let adminDatabaseUrl = configuredUrl;

if (!adminDatabaseUrl) {
  process.stderr.write("TEST_DATABASE_URL and DATABASE_URL are not set; starting an embedded PostgreSQL.\n");
  const { startEmbeddedPostgres } = await import("../db/embedded.js");
  const dataDir = mkdtempSync(join(tmpdir(), "servicebay-sync-chaos-pg-"));
  const embedded = await startEmbeddedPostgres({ dataDir });
  adminDatabaseUrl = embedded.url;
  stopEmbedded = async () => {
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}

let exitCode = 1;
try {
  const report = await runChaos({
    adminDatabaseUrl,
    cliPath: CLI_PATH,
    tickets: 5000,
    seed: Number(process.env.CHAOS_SEED ?? 1),
    maxRuns: 30,
    maxSeconds: 300,
    onProgress: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${formatChaosTable(report)}\n`);
  exitCode = report.passed ? 0 : 1;
} catch (error) {
  process.stderr.write(`The chaos run failed: ${error instanceof Error ? error.message : String(error)}\n`);
} finally {
  await stopEmbedded?.();
}
process.exit(exitCode);
