import { afterAll, beforeAll } from "vitest";

import { DEFAULT_API_KEY, DEFAULT_ORG_ID, startSimulator } from "../../src/simulator/index.js";
import type { RunningSimulator, SimulatorOptions } from "../../src/simulator/types.js";
import { runSync, type SyncOptions, type SyncResult } from "../../src/worker/sync-run.js";
import { createTestDatabase, silentLogger, type TestDatabase } from "./database.js";

export const ORG = DEFAULT_ORG_ID;
export const KEY = DEFAULT_API_KEY;

export type SyncOverrides = Partial<Omit<SyncOptions, "api">> & { api?: Partial<SyncOptions["api"]> };

export interface Harness {
  db: TestDatabase;
  sim: RunningSimulator;
  /** Runs one sync against the simulator with test-friendly retry settings. */
  sync(overrides?: SyncOverrides): Promise<SyncResult>;
}

/** Fast retries, so fault tests finish in seconds. */
export const FAST_API = { minBackoffMs: 20, maxBackoffMs: 200, maxRetrySeconds: 20, requestTimeoutMs: 2_000 };

export function syncWith(db: TestDatabase, sim: RunningSimulator, overrides: SyncOverrides = {}): Promise<SyncResult> {
  const { api, ...rest } = overrides;
  return runSync({
    pool: db.pool,
    logger: silentLogger,
    orgId: ORG,
    resumeMaxAgeMs: 3_600_000,
    maxDeleteFraction: 0.5,
    ...rest,
    api: { baseUrl: sim.url, apiKey: KEY, ...FAST_API, ...api },
  });
}

/**
 * Gives a test file its own database and simulator, created before its tests and removed
 * after them. The returned object is filled in by beforeAll.
 */
export function useHarness(simulatorOptions: Omit<SimulatorOptions, "organisations"> & { tickets?: number } = {}): Harness {
  const harness = {} as Harness;
  beforeAll(async () => {
    const { tickets = 250, ...rest } = simulatorOptions;
    harness.db = await createTestDatabase();
    harness.sim = await startSimulator({ seed: 7, rateLimitPerMinute: null, ...rest, organisations: [{ orgId: ORG, apiKey: KEY, tickets }] });
    harness.sync = (overrides) => syncWith(harness.db, harness.sim, overrides);
  });
  afterAll(async () => {
    await harness.sim?.close();
    await harness.db?.drop();
  });
  return harness;
}

/** Reads the organisation's live tickets from the database as id -> raw payload. */
export async function storedLiveTickets(db: TestDatabase): Promise<Map<string, unknown>> {
  const rows = await db.query<{ id: string; raw: unknown }>(
    "SELECT id, raw FROM servicebay.tickets WHERE org_id = $1 AND deleted_at IS NULL ORDER BY id",
    [ORG],
  );
  return new Map(rows.map((row) => [row.id, row.raw]));
}

/** Collects what the simulator lists now as id -> payload, for comparison with the database. */
export function listedTickets(sim: RunningSimulator): Map<string, unknown> {
  const listed = new Map<string, unknown>();
  for (const ticket of sim.store.tickets(ORG)) listed.set(String(ticket.id), ticket);
  return listed;
}
