import { EXIT_CODES } from "../exit-codes.js";
import { createLogger } from "../logger.js";
import { runSimulatorCommand } from "../simulator/index.js";

/** Runs `servicebay-sync simulator` until SIGINT or SIGTERM. */
export async function simulatorCommand(options: {
  tickets: number;
  port: number;
  seed: number;
  rateLimit: number;
  latencyMs: number;
  errorRate: number;
  hangRate: number;
  host: string;
}): Promise<number> {
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? "info" });
  await runSimulatorCommand({ ...options, rateLimit: options.rateLimit === 0 ? null : options.rateLimit }, logger);
  return EXIT_CODES.success;
}
