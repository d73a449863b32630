import { Writable } from "node:stream";

import { pino } from "pino";
import { expect, test } from "vitest";

import { DEFAULT_API_KEY, DEFAULT_ORG_ID, runSimulatorCommand } from "../src/simulator/index.js";
import type { SimulatorCommandOptions } from "../src/simulator/index.js";

/** Creates a pino logger that collects its JSON lines in `lines`. */
function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString("utf8")) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level: "info" }, destination), lines };
}

async function waitForLine(lines: Record<string, unknown>[], message: string): Promise<Record<string, unknown>> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const line = lines.find((entry) => entry.msg === message);
    if (line !== undefined) {
      return line;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`No log line "${message}" within 2 s.`);
}

function commandOptions(overrides: Partial<SimulatorCommandOptions>): SimulatorCommandOptions {
  return { port: 0, host: "127.0.0.1", tickets: 25, seed: 1, rateLimit: null, latencyMs: 0, errorRate: 0, hangRate: 0, ...overrides };
}

test("command serves until aborted", async () => {
  const { logger, lines } = captureLogger();
  const controller = new AbortController();
  const finished = runSimulatorCommand(commandOptions({ signal: controller.signal }), logger);

  const started = await waitForLine(lines, "simulator started");
  const hint = await waitForLine(lines, "set these environment variables to sync from the simulator");
  const response = await fetch(`${String(started.url)}/organisations/${DEFAULT_ORG_ID}/tickets`, {
    headers: { "X-API-Key": DEFAULT_API_KEY },
  });
  controller.abort();
  await finished;

  expect(response.status).toBe(200);
  expect(started.orgId).toBe(DEFAULT_ORG_ID);
  expect(hint.hint).toContain(`SERVICEBAY_BASE_URL=${String(started.url)}`);
  expect(hint.hint).toContain(`SERVICEBAY_API_KEY=${DEFAULT_API_KEY}`);
  expect(lines.at(-1)?.msg).toBe("simulator stopped");
  expect(lines.at(-1)?.requests).toBe(1);
});

test("command never logs a given API key", async () => {
  const { logger, lines } = captureLogger();
  const controller = new AbortController();
  const apiKey = "sk_test_" + "7".repeat(32);
  const finished = runSimulatorCommand(commandOptions({ apiKey, orgId: "org_custom", signal: controller.signal }), logger);

  const started = await waitForLine(lines, "simulator started");
  const response = await fetch(`${String(started.url)}/organisations/org_custom/tickets`, { headers: { "X-API-Key": apiKey } });
  controller.abort();
  await finished;

  expect(response.status).toBe(200);
  expect(JSON.stringify(lines)).not.toContain(apiKey);
});

test("command treats rate limit 0 as off", async () => {
  const { logger, lines } = captureLogger();
  const controller = new AbortController();
  const finished = runSimulatorCommand(commandOptions({ rateLimit: 0, signal: controller.signal }), logger);

  const started = await waitForLine(lines, "simulator started");
  const response = await fetch(`${String(started.url)}/organisations/${DEFAULT_ORG_ID}/tickets`, {
    headers: { "X-API-Key": DEFAULT_API_KEY },
  });
  controller.abort();
  await finished;

  expect(response.status).toBe(200);
  expect(response.headers.get("x-ratelimit-limit")).toBeNull();
  expect(started.rateLimitPerMinute).toBeNull();
});

test("command rejects a non-loopback host", async () => {
  const { logger } = captureLogger();
  await expect(runSimulatorCommand(commandOptions({ host: "0.0.0.0" }), logger)).rejects.toThrow(/loopback/);
});
