import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:net";

import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { findFreePort } from "../src/db/embedded.js";
import { startSimulator, type RunningSimulator } from "../src/simulator/index.js";
import { CliProcess, runCli, syncEnv } from "./support/cli.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";

const ORG = "org_secrets";
/** The organisation's real key, known to the simulator. */
const KEY = `sk_live_${randomBytes(16).toString("hex")}`;
/** A key the simulator does not know, so every request with it gets HTTP 401. */
const WRONG_KEY = `sk_live_${randomBytes(16).toString("hex")}`;
/**
 * The password sent in DATABASE_URL. An embedded test server has a real one, which is used as
 * it is. A server with trust authentication on loopback accepts any, so a random one is added.
 */
let PASSWORD = `pw-${randomBytes(12).toString("hex")}`;

/** Returns the test database's connection string with a password, and records it in PASSWORD. */
function withPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) {
    PASSWORD = decodeURIComponent(parsed.password);
    return url;
  }
  parsed.password = PASSWORD;
  return parsed.toString();
}

describe("secrets in output and sync_runs", () => {
  let db: TestDatabase;
  let sim: RunningSimulator;
  /** Everything every command printed, checked at the end. */
  const printed: string[] = [];
  /** sync_runs as text after each command, because a resumed run overwrites the error of its earlier part. */
  const runSnapshots: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    sim = await startSimulator({ seed: 41, rateLimitPerMinute: null, organisations: [{ orgId: ORG, apiKey: KEY, tickets: 150 }] });
  });
  afterAll(async () => {
    await sim?.close();
    await db?.drop();
  });

  const env = (overrides: { apiKey?: string; databaseUrl?: string } = {}, extra: Record<string, string> = {}) =>
    syncEnv({ baseUrl: sim.url, orgId: ORG, apiKey: overrides.apiKey ?? KEY, databaseUrl: overrides.databaseUrl ?? withPassword(db.url) }, {
      LOG_LEVEL: "trace", SYNC_MAX_RETRY_SECONDS: "1", ...extra,
    });

  async function sync(overrides: { apiKey?: string; databaseUrl?: string } = {}, extra: Record<string, string> = {}) {
    const result = await runCli(["sync"], env(overrides, extra));
    printed.push(result.output);
    runSnapshots.push(JSON.stringify(await db.query("SELECT * FROM servicebay.sync_runs")));
    return result;
  }

  test("successful run with a password", { timeout: 30_000 }, async () => {
    const result = await sync();

    expect(result.exit.code).toBe(0);
    expect(result.output).not.toContain(PASSWORD);
    expect(result.output).not.toContain(KEY);
  });

  test("wrong key fails with HTTP 401", { timeout: 30_000 }, async () => {
    const result = await sync({ apiKey: WRONG_KEY });

    expect(result.exit.code).toBe(1);
    expect(result.stderr).toContain("HTTP 401");
    expect(result.output).not.toContain(WRONG_KEY);
  });

  const echoes: Record<string, number> = { "HTTP 400": 400, "HTTP 401": 401, "HTTP 429": 429, "HTTP 500": 500 };
  for (const [name, status] of Object.entries(echoes)) {
    test(`${name} echoing the key fails`, { timeout: 30_000 }, async () => {
      sim.setListInterceptor(() => ({ status, body: { success: false, error: `The key ${KEY} was rejected.` } }));

      const result = await sync();
      sim.setListInterceptor(undefined);

      expect(result.exit.code).toBe(1);
      expect(result.output).toContain("[redacted]");
      expect(result.output).not.toContain(KEY);
    });
  }

  test("200 HTML page echoing the key fails", { timeout: 30_000 }, async () => {
    sim.setListInterceptor(() => ({ status: 200, body: `${KEY} <html>` }));

    const result = await sync();
    sim.setListInterceptor(undefined);

    expect(result.exit.code).toBe(1);
    expect(result.output).not.toContain(KEY);
  });

  test("unreachable database fails", { timeout: 30_000 }, async () => {
    const port = await findFreePort();

    const result = await sync({ databaseUrl: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres` });

    expect(result.exit.code).toBe(1);
    expect(result.stderr).toContain("ECONNREFUSED");
    expect(result.output).not.toContain(PASSWORD);
  });

  test("non-PostgreSQL server on the port fails", { timeout: 30_000 }, async () => {
    const result = await sync({ databaseUrl: `postgres://postgres:${PASSWORD}@127.0.0.1:${sim.port}/postgres` });

    expect(result.exit.code).toBe(1);
    expect(result.output).not.toContain(PASSWORD);
  });

  const malformed: Record<string, string> = {
    "an invalid port": `postgres://postgres:${PASSWORD}@127.0.0.1:notaport/postgres`,
    "a space in the host": `postgres://postgres:${PASSWORD}@127.0.0 .1/postgres`,
    "a bad percent escape": `postgres://postgres:${PASSWORD}%zz@127.0.0.1/postgres`,
  };
  for (const [name, databaseUrl] of Object.entries(malformed)) {
    // node-postgres accepts some of these, so only the output is checked, not the exit code.
    test(`DATABASE_URL with ${name} stays secret`, { timeout: 30_000 }, async () => {
      const result = await sync({ databaseUrl });

      expect(result.output).not.toContain(PASSWORD);
    });
  }

  test("connection killed mid-run fails", { timeout: 30_000 }, async () => {
    // Slow pages, so the kill after the first page lands before the second one is written.
    sim.setFaults({ latencyMs: 300 });
    const cli = new CliProcess(["sync"], env());
    await cli.waitForLog("page committed");
    await db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = 'servicebay-sync' AND pid <> pg_backend_pid()`,
    );
    const exit = await cli.exited;
    sim.setFaults({ latencyMs: 0 });
    printed.push(cli.output);

    expect(exit.code).toBe(1);
    expect(cli.output).not.toContain(PASSWORD);
    expect(cli.output).not.toContain(KEY);
  });

  test("no command printed a secret", () => {
    expect(printed.length).toBeGreaterThan(10);
    for (const output of printed) {
      expect(output).not.toContain(KEY);
      expect(output).not.toContain(WRONG_KEY);
      expect(output).not.toContain(PASSWORD);
      expect(output).not.toContain(encodeURIComponent(PASSWORD));
    }
  });

  test("sync_runs holds no secret", () => {
    expect(runSnapshots.some((text) => text.includes("[redacted]"))).toBe(true);
    for (const text of runSnapshots) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(WRONG_KEY);
      expect(text).not.toContain(PASSWORD);
    }
  });
});

describe("plain HTTP to another host", () => {
  let database: Server;
  let connections = 0;
  let port = 0;

  beforeAll(async () => {
    // Stands in for the database, to show that the command connects nowhere at all.
    database = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => database.listen(0, "127.0.0.1", resolve));
    port = (database.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => database.close(resolve));
  });

  // Addresses reserved for documentation (192.0.2.0/24 and 2001:db8::/32), which are not routed.
  for (const baseUrl of ["http://192.0.2.10/api/v1", "http://192.0.2.10:8080/api/v1", "http://[2001:db8::1]/api/v1"]) {
    test(`${baseUrl} is a configuration error`, { timeout: 20_000 }, async () => {
      const result = await runCli(["sync"], syncEnv({ baseUrl, orgId: ORG, apiKey: KEY, databaseUrl: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres` }));

      expect(result.exit.code).toBe(2);
      expect(result.stderr).toContain("SERVICEBAY_BASE_URL uses plain HTTP");
      expect(result.output).not.toContain(KEY);
      expect(connections).toBe(0);
    });
  }
});

describe("SQL in payload values and IDs", () => {
  const injection = "'); DROP TABLE servicebay.tickets; --";
  const orgId = `org/${injection}`;
  const apiKey = `sk_test_${randomBytes(16).toString("hex")}`;
  let db: TestDatabase;
  let sim: RunningSimulator;

  beforeAll(async () => {
    db = await createTestDatabase();
    sim = await startSimulator({ seed: 42, rateLimitPerMinute: null, organisations: [{ orgId, apiKey, tickets: 120 }] });
    sim.store.putRaw(orgId, `x${injection}`, {
      id: `x${injection}`,
      status: injection,
      customerName: "Robert'); DROP TABLE servicebay.sync_runs;--",
      serviceNotes: "$1 $2 \\x00 E'\\\\' ; SELECT pg_sleep(10);",
      [`key${injection}`]: injection,
    });
  });
  afterAll(async () => {
    await sim?.close();
    await db?.drop();
  });

  test("sync stores them verbatim", { timeout: 30_000 }, async () => {
    const result = await runCli(["sync"], syncEnv({ baseUrl: sim.url, orgId, apiKey, databaseUrl: db.url }));
    const [row] = await db.query("SELECT * FROM servicebay.tickets WHERE org_id = $1 AND id = $2", [orgId, `x${injection}`]);

    expect(result.exit.code, result.output).toBe(0);
    expect(row?.status).toBe(injection);
    expect(row?.customer_name).toBe("Robert'); DROP TABLE servicebay.sync_runs;--");
    expect(row?.service_notes).toBe("$1 $2 \\x00 E'\\\\' ; SELECT pg_sleep(10);");
    expect((row?.raw as Record<string, unknown>)[`key${injection}`]).toBe(injection);
  });

  test("every ticket and table is still there", async () => {
    const [tickets] = await db.query<{ count: number }>("SELECT count(*)::int AS count FROM servicebay.tickets WHERE org_id = $1", [orgId]);
    const [runs] = await db.query<{ org_id: string; status: string }>("SELECT org_id, status FROM servicebay.sync_runs");

    expect(tickets?.count).toBe(121);
    expect(runs).toEqual({ org_id: orgId, status: "succeeded" });
  });
});
