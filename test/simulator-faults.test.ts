import { afterEach, describe, expect, test } from "vitest";

import { DEFAULT_API_KEY, DEFAULT_ORG_ID, startSimulator } from "../src/simulator/index.js";
import type { RunningSimulator, SimulatorOptions } from "../src/simulator/types.js";

const running: RunningSimulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.close()));
});

async function start(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const simulator = await startSimulator({
    organisations: [
      { orgId: DEFAULT_ORG_ID, apiKey: DEFAULT_API_KEY, tickets: 200 },
      { orgId: "org_other", apiKey: "sk_test_other", tickets: 10 },
    ],
    rateLimitPerMinute: null,
    ...options,
  });
  running.push(simulator);
  return simulator;
}

function listTickets(simulator: RunningSimulator, init: RequestInit = {}, apiKey = DEFAULT_API_KEY): Promise<Response> {
  return fetch(`${simulator.url}/organisations/${DEFAULT_ORG_ID}/tickets?limit=100`, {
    ...init,
    headers: { "X-API-Key": apiKey },
  });
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

describe("rate limit", () => {
  test("headers count down, then 429", async () => {
    const simulator = await start({ rateLimitPerMinute: 3 });
    const responses: Response[] = [];
    for (let i = 0; i < 4; i++) {
      responses.push(await listTickets(simulator));
    }

    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 429]);
    expect(responses.map((response) => response.headers.get("x-ratelimit-limit"))).toEqual(["3", "3", "3", "3"]);
    expect(responses.map((response) => response.headers.get("x-ratelimit-remaining"))).toEqual(["2", "1", "0", "0"]);

    const reset = Number(responses[3]?.headers.get("x-ratelimit-reset"));
    expect(reset).toBeGreaterThan(nowSeconds());
    expect(reset).toBeLessThanOrEqual(nowSeconds() + 61);

    const body = (await responses[3]?.json()) as { success: boolean; error: string };
    expect(body.success).toBe(false);
    expect(body.error).toMatch(/rate limit/i);
  });

  test("each API key has its own bucket", async () => {
    const simulator = await start({ rateLimitPerMinute: 1 });
    const first = await listTickets(simulator);
    const limited = await listTickets(simulator);
    const otherKey = await fetch(`${simulator.url}/organisations/org_other/tickets`, { headers: { "X-API-Key": "sk_test_other" } });

    expect(first.status).toBe(200);
    expect(limited.status).toBe(429);
    expect(otherKey.status).toBe(200);
  });

  test("default limit is 100 per minute", async () => {
    const simulator = await startSimulator();
    running.push(simulator);
    const response = await fetch(`${simulator.url}/organisations/${DEFAULT_ORG_ID}/tickets`, { headers: { "X-API-Key": DEFAULT_API_KEY } });
    expect(response.headers.get("x-ratelimit-limit")).toBe("100");
    expect(response.headers.get("x-ratelimit-remaining")).toBe("99");
  });

  test("setRateLimit(null) turns the limit and headers off", async () => {
    const simulator = await start({ rateLimitPerMinute: 1 });
    await listTickets(simulator);
    simulator.setRateLimit(null);
    const response = await listTickets(simulator);

    expect(response.status).toBe(200);
    expect(response.headers.get("x-ratelimit-limit")).toBeNull();
    expect(response.headers.get("x-ratelimit-reset")).toBeNull();
  });

  test("invalid rate limit is rejected", async () => {
    const simulator = await start();
    expect(() => simulator.setRateLimit(0)).toThrow(RangeError);
  });
});

describe("faults", () => {
  test("latency delays the response", async () => {
    const simulator = await start({ faults: { latencyMs: 150 } });
    const startedAt = performance.now();
    const response = await listTickets(simulator);
    expect(response.status).toBe(200);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(140);
  });

  test("server errors are 500, 502 and 503", async () => {
    const simulator = await start({ faults: { serverErrorRate: 1 } });
    const seen = new Map<number, { contentType: string | null; body: string }>();
    for (let i = 0; i < 40; i++) {
      const response = await listTickets(simulator);
      seen.set(response.status, { contentType: response.headers.get("content-type"), body: await response.text() });
    }

    expect([...seen.keys()].sort()).toEqual([500, 502, 503]);
    expect(seen.get(500)?.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(seen.get(500)?.body ?? "").success).toBe(false);
    expect(seen.get(502)?.contentType).toMatch(/^text\/html/);
    expect(seen.get(502)?.body).toMatch(/^<html>/);
    expect(JSON.parse(seen.get(503)?.body ?? "").success).toBe(false);
  });

  test("faults hit only list and get requests", async () => {
    const simulator = await start({ faults: { serverErrorRate: 1 } });
    const response = await fetch(`${simulator.url}/organisations/${DEFAULT_ORG_ID}/tickets`, {
      method: "POST",
      headers: { "X-API-Key": DEFAULT_API_KEY, "Content-Type": "application/json" },
      body: JSON.stringify({ status: "Open" }),
    });
    expect(response.status).toBe(201);
  });

  test("hang never responds", async () => {
    const simulator = await start({ faults: { hangRate: 1 } });
    const request = listTickets(simulator, { signal: AbortSignal.timeout(300) });
    await expect(request).rejects.toThrow(/timeout|aborted/i);
    expect(simulator.stats.requests).toBe(1);
    expect(Object.keys(simulator.stats.byStatus)).toEqual([]);
  });

  test("close finishes while a request hangs", async () => {
    const simulator = await start({ faults: { hangRate: 1 } });
    const request = listTickets(simulator).then(
      () => "responded",
      () => "failed",
    );
    while (simulator.stats.requests === 0) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    const startedAt = performance.now();
    await simulator.close();
    expect(performance.now() - startedAt).toBeLessThan(1000);
    expect(await request).toBe("failed");
  });

  test("reset destroys the connection", async () => {
    const simulator = await start({ faults: { resetRate: 1 } });
    await expect(listTickets(simulator)).rejects.toThrow(TypeError);
  });

  test("truncated body is half the JSON", async () => {
    const simulator = await start();
    const full = await (await listTickets(simulator)).text();
    simulator.setFaults({ truncatedRate: 1 });
    const response = await listTickets(simulator);
    const body = await response.text();

    expect(response.status).toBe(200);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(Math.ceil(Buffer.byteLength(full) / 2) + 3);
    expect(full.startsWith(body.slice(0, 100))).toBe(true);
    expect(() => JSON.parse(body)).toThrow(SyntaxError);
  });

  test("burst returns 429 to next requests", async () => {
    const simulator = await start({ faults: { rateLimitBurst: 2 } });
    const first = await listTickets(simulator);
    const second = await listTickets(simulator);
    const third = await listTickets(simulator);

    expect(first.status).toBe(429);
    expect(second.status).toBe(429);
    expect(third.status).toBe(200);
    const reset = Number(first.headers.get("x-ratelimit-reset"));
    expect(reset).toBeGreaterThanOrEqual(nowSeconds());
    expect(reset).toBeLessThanOrEqual(nowSeconds() + 2);
    expect(first.headers.get("x-ratelimit-remaining")).toBe("0");
  });

  test("setFaults starts a burst", async () => {
    const simulator = await start();
    simulator.setFaults({ rateLimitBurst: 1 });
    expect((await listTickets(simulator)).status).toBe(429);
    expect((await listTickets(simulator)).status).toBe(200);
  });

  test("same seed gives same faults", async () => {
    const statuses = async (): Promise<number[]> => {
      const simulator = await start({ seed: 3, faults: { serverErrorRate: 0.3, truncatedRate: 0.2 } });
      const result: number[] = [];
      for (let i = 0; i < 30; i++) {
        const response = await listTickets(simulator);
        const text = await response.text();
        result.push(response.status === 200 && !text.endsWith("}") ? -1 : response.status);
      }
      return result;
    };

    const first = await statuses();
    const second = await statuses();
    expect(second).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(2);
  });

  test("invalid fault rate is rejected", async () => {
    const simulator = await start();
    expect(() => simulator.setFaults({ hangRate: 2 })).toThrow(RangeError);
  });
});
