import { afterEach, describe, expect, test } from "vitest";

import { findFreePort } from "../src/db/embedded.js";
import { startSimulator } from "../src/simulator/index.js";
import { KEY, ORG, listedTickets, storedLiveTickets, syncWith, useHarness } from "./support/harness.js";

describe("API errors that stop the run", () => {
  const h = useHarness({ tickets: 150 });

  test("wrong key stops with HTTP 401 advice", async () => {
    const result = await h.sync({ api: { apiKey: "sk_live_" + "f".repeat(32) } });

    expect(result.outcome).toBe("failed");
    expect(result.error).toContain("HTTP 401");
    expect(result.error).toContain("SERVICEBAY_API_KEY");
    expect(result.error).not.toContain("f".repeat(32));
  });

  test("unknown organisation stops with HTTP 404 advice", async () => {
    const result = await h.sync({ orgId: "no_such_org" });

    expect(result.outcome).toBe("failed");
    expect(result.error).toContain("HTTP 404");
    expect(result.error).toContain("SERVICEBAY_ORG_ID");
  });

  test("failed run deletes nothing", async () => {
    expect((await h.sync()).outcome).toBe("succeeded");
    const removed = [...h.sim.store.ids(ORG)].slice(0, 20);
    for (const id of removed) h.sim.store.remove(ORG, id);
    let lists = 0;
    h.sim.setListInterceptor(() => (++lists === 2 ? { status: 400, body: { success: false, error: "bad cursor" } } : undefined));

    const result = await h.sync();
    h.sim.setListInterceptor(undefined);

    expect(result.outcome).toBe("failed");
    const [row] = await h.db.query("SELECT count(*)::int AS deleted FROM servicebay.tickets WHERE deleted_at IS NOT NULL");
    expect(row?.deleted).toBe(0);
  });
});

describe("API errors that are retried", () => {
  const h = useHarness({ tickets: 420 });
  afterEach(() => h.sim.setFaults({ serverErrorRate: 0, rateLimitBurst: 0, truncatedRate: 0, resetRate: 0, hangRate: 0 }));

  test("503, 502 and 500 responses are retried", async () => {
    h.sim.setFaults({ serverErrorRate: 0.3 });

    const result = await h.sync();

    expect(result.outcome).toBe("succeeded");
    expect(result.counters?.retries).toBeGreaterThan(0);
    expect(await storedLiveTickets(h.db)).toEqual(listedTickets(h.sim));
  });

  test("429 waits for the rate-limit reset", async () => {
    h.sim.setFaults({ rateLimitBurst: 2 });
    const started = Date.now();

    const result = await h.sync();

    expect(result.outcome).toBe("succeeded");
    expect(result.counters?.rateLimited).toBe(2);
    // The simulator's reset is one second ahead, in whole Unix seconds.
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });

  test("truncated JSON and reset connections are retried", async () => {
    h.sim.setFaults({ truncatedRate: 0.2, resetRate: 0.2 });

    const result = await h.sync();

    expect(result.outcome).toBe("succeeded");
    expect(result.counters?.retries).toBeGreaterThan(0);
  });

  test("hanging requests time out and are retried", async () => {
    h.sim.setFaults({ hangRate: 0.2 });

    const result = await h.sync({ api: { requestTimeoutMs: 300 } });

    expect(result.outcome).toBe("succeeded");
  });
});

describe("refused connections", () => {
  const h = useHarness({ tickets: 10 });

  test("are retried until the API comes up", async () => {
    const port = await findFreePort();
    const later = startSimulatorLater(port, 800);

    const result = await syncWith(h.db, h.sim, { api: { baseUrl: `http://127.0.0.1:${port}/api/v1` } });
    const sim = await later;
    await sim.close();

    expect(result.outcome).toBe("succeeded");
    expect(result.counters?.retries).toBeGreaterThan(0);
    expect(result.counters?.inserted).toBe(300);
  });

  test("fail the run when the retry budget is spent", async () => {
    const port = await findFreePort();

    const result = await syncWith(h.db, h.sim, { api: { baseUrl: `http://127.0.0.1:${port}/api/v1`, maxRetrySeconds: 1 } });

    expect(result.outcome).toBe("failed");
    expect(result.error).toMatch(/resume/i);
  });
});

async function startSimulatorLater(port: number, delayMs: number) {
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  return startSimulator({ port, seed: 3, rateLimitPerMinute: null, organisations: [{ orgId: ORG, apiKey: KEY, tickets: 300 }] });
}

describe("retry budget spent mid-scan", () => {
  const h = useHarness({ tickets: 560 });
  let failedRunId: number | null = null;

  test("baseline sync succeeds", async () => {
    expect((await h.sync()).outcome).toBe("succeeded");
    for (const id of [...h.sim.store.ids(ORG)].slice(-3)) h.sim.store.remove(ORG, id);
  });

  test("run fails cleanly after two pages", async () => {
    let lists = 0;
    h.sim.setListInterceptor(() => (++lists >= 3 ? { status: 503, body: { success: false, error: "Service unavailable" } } : undefined));

    const result = await h.sync({ api: { maxRetrySeconds: 1 } });
    h.sim.setListInterceptor(undefined);
    failedRunId = result.runId;

    expect(result.outcome).toBe("failed");
    expect(result.error).toContain("spent the retry budget");
    expect(result.counters?.pages).toBe(2);
    expect(result.counters?.retries).toBeGreaterThan(0);
    const [row] = await h.db.query("SELECT status, deleted, cursor FROM servicebay.sync_runs WHERE id = $1", [failedRunId]);
    expect(row?.status).toBe("failed");
    expect(row?.deleted).toBe(0);
    expect(row?.cursor).not.toBeNull();
  });

  test("next run resumes and completes", async () => {
    const requestsBefore = h.sim.stats.requests;

    const result = await h.sync();

    expect(result.outcome).toBe("succeeded");
    expect(result.resumed).toBe(true);
    expect(result.runId).toBe(failedRunId);
    expect(result.counters?.deleted).toBe(3);
    // Pages 3 to 6 only: the two committed pages are not read again.
    expect(h.sim.stats.requests - requestsBefore).toBe(4);
    expect(await storedLiveTickets(h.db)).toEqual(listedTickets(h.sim));
  });
});
