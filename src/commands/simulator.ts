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
  try {
    await runSimulatorCommand({ ...options, rateLimit: options.rateLimit === 0 ? null : options.rateLimit }, logger);
    return EXIT_CODES.success;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message =
      code === "EADDRINUSE"
        ? `Port ${options.port} on ${options.host} is already in use. Stop the other server or pass another --port (0 picks a free one).`
        : error instanceof Error ? error.message : String(error);
    process.stderr.write(`servicebay-sync: the simulator could not start: ${message}\n`);
    return EXIT_CODES.failure;
  }
}
