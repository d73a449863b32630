/** The `simulator` command: serve the simulator until SIGINT or SIGTERM. */
import type { Logger } from "pino";
import { DEFAULT_API_KEY, DEFAULT_ORG_ID, startSimulator } from "./server.js";

export interface SimulatorCommandOptions {
  port: number;
  host: string;
  tickets: number;
  seed: number;
  orgId?: string;
  /** Defaults to the test key `DEFAULT_API_KEY`. A key given here is never logged. */
  apiKey?: string;
  /** Requests per minute per API key. Null or 0 turns the limit off, as the CLI's `--rate-limit 0` does. */
  rateLimit: number | null;
  latencyMs: number;
  /** Fraction of list and get requests that get a 500, 502 or 503 response. */
  errorRate: number;
  /** Fraction of list and get requests that never get a response. */
  hangRate: number;
  /** Fraction of list and get requests whose connection is reset. */
  resetRate?: number;
  /** Fraction of list and get requests that get a 200 response with half of its JSON body. */
  truncatedRate?: number;
  /** Stops the simulator as SIGINT does, for callers that run the command in-process. */
  signal?: AbortSignal;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "::1", "localhost"]);

/**
 * Starts the simulator, logs its URL and the environment variables that point a sync at it,
 * and resolves after SIGINT, SIGTERM or `options.signal` has stopped it.
 */
export async function runSimulatorCommand(options: SimulatorCommandOptions, logger: Logger): Promise<void> {
  // The simulator accepts a well-known test key and has no TLS, so it stays on this machine.
  if (!LOOPBACK_HOSTS.has(options.host) && !options.host.startsWith("127.")) {
    throw new Error(`Invalid host ${options.host}: the simulator listens only on a loopback address such as 127.0.0.1 or ::1.`);
  }

  const orgId = options.orgId ?? DEFAULT_ORG_ID;
  const rateLimitPerMinute = options.rateLimit === 0 ? null : options.rateLimit;
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  const faults = {
    latencyMs: options.latencyMs,
    serverErrorRate: options.errorRate,
    hangRate: options.hangRate,
    resetRate: options.resetRate ?? 0,
    truncatedRate: options.truncatedRate ?? 0,
  };

  const simulator = await startSimulator({
    host: options.host,
    port: options.port,
    seed: options.seed,
    organisations: [{ orgId, apiKey, tickets: options.tickets }],
    rateLimitPerMinute,
    faults,
  }, logger);

  const shownKey = options.apiKey === undefined ? DEFAULT_API_KEY : "<the API key you passed>";
  logger.info(
    { url: simulator.url, orgId, tickets: options.tickets, seed: options.seed, rateLimitPerMinute, faults },
    "simulator started",
  );
  logger.info(
    { hint: `SERVICEBAY_BASE_URL=${simulator.url} SERVICEBAY_ORG_ID=${orgId} SERVICEBAY_API_KEY=${shownKey}` },
    "set these environment variables to sync from the simulator",
  );

  const reason = await waitForStop(options.signal);
  await simulator.close();
  logger.info({ reason, requests: simulator.stats.requests, byStatus: simulator.stats.byStatus }, "simulator stopped");
}

/** Resolves with the name of the signal, or "aborted", that asked the simulator to stop. */
function waitForStop(signal: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve) => {
    const stop = (reason: string): void => {
      process.off("SIGINT", onInterrupt);
      process.off("SIGTERM", onTerminate);
      signal?.removeEventListener("abort", onAbort);
      resolve(reason);
    };
    const onInterrupt = (): void => stop("SIGINT");
    const onTerminate = (): void => stop("SIGTERM");
    const onAbort = (): void => stop("aborted");

    if (signal?.aborted) {
      resolve("aborted");
      return;
    }
    process.once("SIGINT", onInterrupt);
    process.once("SIGTERM", onTerminate);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
