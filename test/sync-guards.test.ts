import { describe, expect, test } from "vitest";

import { connectClient } from "../src/db/pool.js";
import { tryLockOrganisation, unlockOrganisation } from "../src/db/locks.js";
import { startSimulator } from "../src/simulator/index.js";
import { KEY, ORG, listedTickets, storedLiveTickets, syncWith, useHarness } from "./support/harness.js";
import { silentLogger } from "./support/database.js";

async function deletedCount(query: (text: string) => Promise<Record<string, unknown>[]>): Promise<number> {
  const [row] = await query("SELECT count(*)::int AS deleted FROM servicebay.tickets WHERE deleted_at IS NOT NULL");
  return Number(row?.deleted);
}

describe("suspicious scans", () => {
  const h = useHarness({ tickets: 350 });

  test("baseline sync succeeds", async () => {
    expect((await h.sync()).outcome).toBe("succeeded");
    for (const id of [...h.sim.store.ids(ORG)].slice(0, 5)) h.sim.store.remove(ORG, id);
  });

  const brokenPages = {
    "empty page claiming more": () => ({ status: 200, body: { success: true, data: { tickets: [], pagination: { limit: 100, hasMore: true, nextCursor: "zzz" } } } }),
    "page missing its cursor": (page: { tickets: unknown[] }) => ({ status: 200, body: { success: true, data: { tickets: page.tickets, pagination: { limit: 100, hasMore: true } } } }),
    "cursor going backwards": (page: { tickets: unknown[] }) => ({ status: 200, body: { success: true, data: { tickets: page.tickets, pagination: { limit: 100, hasMore: true, nextCursor: "0" } } } }),
    "cursor beyond the last item": (page: { tickets: unknown[] }) => ({ status: 200, body: { success: true, data: { tickets: page.tickets.slice(0, 50), pagination: { limit: 100, hasMore: true, nextCursor: (page.tickets[99] as { id: string }).id } } } }),
  };

  for (const [name, respond] of Object.entries(brokenPages)) {
    test(`${name} fails the run without deleting`, async () => {
      let lists = 0;
      h.sim.setListInterceptor(({ page }) => (++lists === 2 ? respond(page) : undefined));

      const result = await h.sync({ resumeMaxAgeMs: 0 });
      h.sim.setListInterceptor(undefined);

      expect(result.outcome).toBe("failed");
      expect(result.error).toMatch(/without deleting anything/);
      expect(await deletedCount(h.db.query)).toBe(0);
    });
  }

  test("clean scan afterwards deletes the five", async () => {
    const result = await h.sync({ resumeMaxAgeMs: 0 });

    expect(result.outcome).toBe("succeeded");
    expect(await deletedCount(h.db.query)).toBe(5);
  });
});

describe("mass-delete guard", () => {
  const h = useHarness({ tickets: 200 });

  test("holds back an empty listing after a full one", async () => {
    expect((await h.sync()).outcome).toBe("succeeded");
    h.sim.setListInterceptor(() => ({ status: 200, body: { success: true, data: { tickets: [], pagination: { limit: 100, hasMore: false, nextCursor: null } } } }));

    const result = await h.sync();
    h.sim.setListInterceptor(undefined);

    expect(result.outcome).toBe("needs_review");
    expect(result.error).toContain("200 of 200");
    expect(result.error).toContain("--allow-mass-delete");
    expect(await deletedCount(h.db.query)).toBe(0);
  });

  test("applies the deletions with allowMassDelete", async () => {
    const removed = [...h.sim.store.ids(ORG)].slice(0, 150);
    for (const id of removed) h.sim.store.remove(ORG, id);

    expect((await h.sync()).outcome).toBe("needs_review");
    const result = await h.sync({ allowMassDelete: true });

    expect(result.outcome).toBe("succeeded");
    expect(result.counters?.deleted).toBe(150);
    expect(await storedLiveTickets(h.db)).toEqual(listedTickets(h.sim));
  });

  test("ten deletions never trigger the guard", async () => {
    const removed = [...h.sim.store.ids(ORG)].slice(0, 10);
    for (const id of removed) h.sim.store.remove(ORG, id);

    const result = await h.sync();

    expect(result.outcome).toBe("succeeded");
    expect(result.counters?.deleted).toBe(10);
  });
});

describe("advisory lock", () => {
  const h = useHarness({ tickets: 30 });

  test("second run of an organisation is skipped", async () => {
    const holder = await connectClient(h.db.pool, silentLogger);
    expect(await tryLockOrganisation(holder, ORG)).toBe(true);

    const result = await h.sync();
    await unlockOrganisation(holder, ORG);
    holder.release();

    expect(result.outcome).toBe("locked");
    expect(result.error).toContain("in progress");
  });

  test("waitForLock runs once the holder is done", async () => {
    const holder = await connectClient(h.db.pool, silentLogger);
    await tryLockOrganisation(holder, ORG);
    setTimeout(() => void unlockOrganisation(holder, ORG).then(() => holder.release()), 300);

    const result = await h.sync({ waitForLock: true });

    expect(result.outcome).toBe("succeeded");
  });

  test("two concurrent runs: one works, one is skipped", async () => {
    const results = await Promise.all([h.sync(), h.sync()]);

    expect(results.map((result) => result.outcome).sort()).toEqual(["locked", "succeeded"]);
  });
});

describe("resume", () => {
  const h = useHarness({ tickets: 560 });

  test("interrupted run resumes from its checkpoint", async () => {
    const controller = new AbortController();
    const first = await h.sync({
      signal: controller.signal,
      onPage: (progress) => { if (progress.page === 2) controller.abort(); },
    });
    expect(first.outcome).toBe("interrupted");
    expect(first.counters?.pages).toBe(2);
    const requestsBefore = h.sim.stats.requests;

    const second = await h.sync();

    expect(second.outcome).toBe("succeeded");
    expect(second.resumed).toBe(true);
    expect(second.runId).toBe(first.runId);
    // Pages 3 to 6 only: the resumed run does not read the first two pages again.
    expect(h.sim.stats.requests - requestsBefore).toBe(4);
    expect(await storedLiveTickets(h.db)).toEqual(listedTickets(h.sim));
  });

  test("deletion after resume sees tickets of earlier parts", async () => {
    const removed = [...h.sim.store.ids(ORG)].slice(-3);
    for (const id of removed) h.sim.store.remove(ORG, id);
    const controller = new AbortController();
    await h.sync({ signal: controller.signal, onPage: (progress) => { if (progress.page === 3) controller.abort(); } });

    const result = await h.sync();

    expect(result.outcome).toBe("succeeded");
    expect(result.counters?.deleted).toBe(3);
    expect(await deletedCount(h.db.query)).toBe(3);
  });

  test("resume age counts from the last heartbeat", async () => {
    const controller = new AbortController();
    const first = await h.sync({ signal: controller.signal, onPage: () => controller.abort() });
    await h.db.query("UPDATE servicebay.sync_runs SET started_at = now() - interval '3 days' WHERE id = $1", [first.runId]);

    const second = await h.sync({ resumeMaxAgeMs: 3_600_000 });

    expect(second.resumed).toBe(true);
    expect(second.runId).toBe(first.runId);
  });

  test("stale unfinished run is abandoned", async () => {
    const controller = new AbortController();
    const first = await h.sync({ signal: controller.signal, onPage: () => controller.abort() });
    // Aged in the database: a limit of a few milliseconds would race the two clocks.
    await h.db.query("UPDATE servicebay.sync_runs SET heartbeat_at = now() - interval '2 hours' WHERE id = $1", [first.runId]);

    const second = await h.sync({ resumeMaxAgeMs: 3_600_000 });

    expect(second.resumed).toBe(false);
    expect(second.runId).not.toBe(first.runId);
    const [row] = await h.db.query("SELECT status, error FROM servicebay.sync_runs WHERE id = $1", [first.runId]);
    expect(row?.status).toBe("abandoned");
    expect(row?.error).toContain("SYNC_RESUME_MAX_AGE");
  });
});

describe("key of another organisation", () => {
  const h = useHarness({ tickets: 5 });

  test("stops with HTTP 403 advice", async () => {
    const sim = await startSimulator({
      seed: 1, rateLimitPerMinute: null,
      organisations: [{ orgId: ORG, apiKey: KEY, tickets: 5 }, { orgId: "org_other", apiKey: "sk_test_" + "1".repeat(32), tickets: 5 }],
    });

    const result = await syncWith(h.db, sim, { orgId: "org_other" });
    await sim.close();

    expect(result.outcome).toBe("failed");
    expect(result.error).toContain("HTTP 403");
  });
});
