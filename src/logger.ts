import { pino, type Logger } from "pino";
import PinoPretty from "pino-pretty";

export type { Logger } from "pino";

export interface LoggerOptions {
  level?: string;
  /** "pretty" for people at a terminal; JSON otherwise, which log pipelines parse. */
  format?: "json" | "pretty";
  /** Destination of the JSON lines, standard output by default. */
  destination?: NodeJS.WritableStream;
}

/**
 * Field paths pino replaces before writing, as a second line of defence: the code never puts
 * a secret into a log call on purpose.
 */
const REDACTED_PATHS = ["apiKey", "*.apiKey", "headers['x-api-key']", "*.headers['x-api-key']", "password", "*.password", "databaseUrl", "*.databaseUrl"];

/**
 * Writes an Error as its name, message, SQLSTATE or errno code and stack, and anything else as
 * it is. pino's default serializer turns a plain `{ message }` object into one with an empty
 * stack and the type "Object", which reads like a bug in the log.
 */
function serializeError(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const code = (value as { code?: unknown }).code;
  return {
    type: value.name,
    message: value.message,
    ...(typeof code === "string" ? { code } : {}),
    ...(value.stack ? { stack: value.stack } : {}),
  };
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const format = options.format ?? (process.stdout.isTTY ? "pretty" : "json");
  const base = {
    level: options.level ?? "info",
    redact: REDACTED_PATHS,
    base: { service: "servicebay-sync" },
    serializers: { err: serializeError },
  };

  if (format === "pretty" && !options.destination) {
    // A stream in this thread, not a transport worker, so lines written just before
    // process.exit() are not lost.
    return pino(base, PinoPretty({ colorize: Boolean(process.stdout.isTTY), ignore: "pid,hostname,service", sync: true }));
  }
  return options.destination ? pino(base, options.destination) : pino(base);
}
