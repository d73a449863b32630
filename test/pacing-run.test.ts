import { describe, expect, test } from "vitest";

import { FixedWindowRateLimiter } from "../src/simulator/rate-limit.js";
import { ORG, useHarness } from "./support/harness.js";

describe("simulator rate-limit window", () => {
  test("limit resets after a short window", () => {
    const limiter = new FixedWindowRateLimiter(3, 2_000);
    const startMs = 1_700_000_000_000;

    const first = [0, 1, 2].map(() => limiter.take("key", startMs)?.allowed);
    expect(first).toEqual([true, true, true]);
    expect(limiter.take("key", startMs + 1_999)?.allowed).toBe(false);
    expect(limiter.take("key", startMs + 2_000)?.allowed).toBe(true);
  });

  test("reset is the window end in seconds", () => {
    const limiter = new FixedWindowRateLimiter(3, 2_000);
    const startMs = 1_700_000_000_400;

    const decision = limiter.take("key", startMs);

    expect(decision?.resetSeconds).toBe(Math.ceil((startMs + 2_000) / 1000));
    expect(decision?.remaining).toBe(2);
  });

  test("default window is one minute", () => {
    const limiter = new FixedWindowRateLimiter(1);
    const startMs = 1_700_000_000_000;

    limiter.take("key", startMs);

    expect(limiter.take("key", startMs + 59_999)?.allowed).toBe(false);
    expect(limiter.take("key", startMs + 60_000)?.allowed).toBe(true);
  });

  test("invalid window is rejected", () => {
    expect(() => new FixedWindowRateLimiter(3, 0)).toThrow(RangeError);
    expect(() => new FixedWindowRateLimiter(3, 1.5)).toThrow(RangeError);
  });
});

describe("paced sync at a small limit", () => {
  // 40 pages at 20 requests per 2-second window: the scan needs the window to reset at least once.
  const h = useHarness({ tickets: 4_000, rateLimitPerMinute: 20, rateLimitWindowMs: 2_000 });

  test("forty requests get no 429", async () => {
    const result = await h.sync();

    expect(result.outcome).toBe("succeeded");
    expect(result.counters?.ticketsSeen).toBe(4_000);
    expect(result.counters?.rateLimited).toBe(0);
    expect(result.counters?.retries).toBe(0);
    expect(h.sim.stats.byStatus[429]).toBeUndefined();
    expect(h.sim.stats.requests).toBe(40);
    // Twenty requests fit in the first window, so the 21st had to wait for the reset.
    expect(result.durationMs).toBeGreaterThanOrEqual(2_000);
  });

  test("unpaced run gets a 429", async () => {
    // The contrast shows the limit is real: without pacing the same scan runs into it.
    const result = await h.sync({ api: { pacing: false } });

    expect(result.outcome).toBe("succeeded");
    expect(result.counters?.rateLimited).toBeGreaterThan(0);
    expect(h.sim.stats.byStatus[429]).toBeGreaterThan(0);
  });
});

describe("requests per full scan", () => {
  const h = useHarness({ tickets: 4_000 });

  test("whole pages take one request each", async () => {
    const result = await h.sync();

    expect(result.counters?.requests).toBe(40);
    expect(h.sim.stats.requests).toBe(40);
  });

  test("a partial last page adds one request", async () => {
    for (let index = 0; index < 50; index++) h.sim.store.create(ORG);
    const before = h.sim.stats.requests;

    const result = await h.sync();

    expect(result.counters?.ticketsSeen).toBe(4_050);
    expect(result.counters?.inserted).toBe(50);
    expect(h.sim.stats.requests - before).toBe(Math.ceil(4_050 / 100));
  });
});
