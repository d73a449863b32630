import { existsSync } from "node:fs";
import { validate as isValidCronExpression } from "node-cron";
import { z } from "zod";

import { isLoopbackHost } from "./servicebay/loopback.js";

export const DEFAULT_BASE_URL = "https://developer.servicebay.io/api/v1";

/** Raised for invalid or missing settings; the CLI prints the message and exits with code 2. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Parses "90s", "15m", "24h", "7d" or a bare number of seconds into milliseconds. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) return null;

  const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const unit = (match[2] ?? "s") as keyof typeof unitMs;
  return Number(match[1]) * unitMs[unit];
}

const duration = (name: string) =>
  z.string().transform((value, context) => {
    const ms = parseDuration(value);
    if (ms === null || ms <= 0) {
      context.addIssue({ code: "custom", message: `${name} must be a duration such as 90s, 30m or 24h (got "${value}")` });
      return z.NEVER;
    }
    return ms;
  });

const positiveNumber = (name: string, unit: string, max: number) =>
  z.string().transform((value, context) => {
    // Number() also reads "0x10" and " 12 "; only plain decimals are meant here.
    const number = /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!(number > 0 && number <= max)) {
      context.addIssue({ code: "custom", message: `${name} must be a number of ${unit} above 0 and at most ${max} (got "${value}")` });
      return z.NEVER;
    }
    return number;
  });

const port = (name: string) =>
  z.string().transform((value, context) => {
    const number = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isInteger(number) || number < 0 || number > 65535) {
      context.addIssue({ code: "custom", message: `${name} must be a port number from 0 to 65535 (got "${value}")` });
      return z.NEVER;
    }
    return number;
  });

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const databaseUrl = z
  .string({ error: "DATABASE_URL is missing: set it to a PostgreSQL connection string such as postgres://user:password@host:5432/dbname" })
  .superRefine((value, context) => {
    // The value may contain a password, so no message repeats it.
    if (!/^postgres(ql)?:\/\//.test(value)) {
      context.addIssue({ code: "custom", message: "DATABASE_URL must start with postgres:// or postgresql://" });
    } else if (!URL.canParse(value)) {
      context.addIssue({
        code: "custom",
        message: "DATABASE_URL is not a valid URL: percent-encode special characters in the user name and password (# as %23, ? as %3F, @ as %40, / as %2F)",
      });
    }
  });

const apiSettings = {
  SERVICEBAY_API_KEY: z
    .string({ error: "SERVICEBAY_API_KEY is missing: set it to the organisation's API key (sk_live_...)" })
    .min(1, "SERVICEBAY_API_KEY is empty: set it to the organisation's API key (sk_live_...)")
    // The key goes into an HTTP header, where spaces, line breaks and non-ASCII are invalid.
    .regex(/^[\x21-\x7e]+$/, "SERVICEBAY_API_KEY contains spaces, line breaks or non-ASCII characters: copy the key again without them"),
  SERVICEBAY_ORG_ID: z
    .string({ error: "SERVICEBAY_ORG_ID is missing: set it to the organisation ID used in API paths" })
    .min(1, "SERVICEBAY_ORG_ID is empty: set it to the organisation ID used in API paths"),
  SERVICEBAY_BASE_URL: z
    .string()
    .default(DEFAULT_BASE_URL)
    .superRefine((value, context) => {
      for (const message of checkBaseUrl(value)) context.addIssue({ code: "custom", message });
    }),
};

const syncSettings = {
  SYNC_RESUME_MAX_AGE: duration("SYNC_RESUME_MAX_AGE").default(24 * 3_600_000),
  SYNC_MAX_DELETE_FRACTION: z
    .string()
    .transform((value, context) => {
      const number = Number(value);
      if (value.trim() === "" || !(number >= 0 && number <= 1)) {
        context.addIssue({ code: "custom", message: `SYNC_MAX_DELETE_FRACTION must be a fraction from 0 to 1 (got "${value}")` });
        return z.NEVER;
      }
      return number;
    })
    .default(0.5),
  // Upper limits keep the values inside what Node.js timers accept (about 24.8 days).
  SYNC_MAX_RETRY_SECONDS: positiveNumber("SYNC_MAX_RETRY_SECONDS", "seconds", 86_400).default(300),
  SYNC_REQUEST_TIMEOUT_SECONDS: positiveNumber("SYNC_REQUEST_TIMEOUT_SECONDS", "seconds", 3_600).default(30),
};

const scheduleSettings = {
  SYNC_SCHEDULE: z
    .string()
    .default("*/15 * * * *")
    .refine((value) => isValidCronExpression(value), {
      error: (issue) => `SYNC_SCHEDULE must be a cron expression such as "*/15 * * * *" (got "${String(issue.input)}")`,
    }),
  SYNC_TIMEZONE: z
    .string()
    .default("UTC")
    .refine(isValidTimeZone, {
      error: (issue) => `SYNC_TIMEZONE must be an IANA time zone such as UTC or Europe/Berlin (got "${String(issue.input)}")`,
    }),
  METRICS_PORT: port("METRICS_PORT").optional(),
  METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  HEALTHZ_MAX_AGE: duration("HEALTHZ_MAX_AGE").optional(),
};

const logSettings = {
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"], { error: "LOG_FORMAT must be json or pretty" }).optional(),
};

const schemas = {
  database: z.object({ DATABASE_URL: databaseUrl, ...logSettings }),
  sync: z.object({ DATABASE_URL: databaseUrl, ...apiSettings, ...syncSettings, ...logSettings }),
  start: z.object({ DATABASE_URL: databaseUrl, ...apiSettings, ...syncSettings, ...scheduleSettings, ...logSettings }),
};

export type ConfigScope = keyof typeof schemas;
export type DatabaseConfig = z.infer<(typeof schemas)["database"]>;
export type SyncConfig = z.infer<(typeof schemas)["sync"]>;
export type StartConfig = z.infer<(typeof schemas)["start"]>;
type ConfigFor<S extends ConfigScope> = z.infer<(typeof schemas)[S]>;

/** Reads a `.env` file from the working directory, without overriding variables already set. */
export function loadDotEnv(path = ".env"): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/**
 * Validates the environment variables one command needs and returns them typed. Every problem
 * is collected into one ConfigError, so a user fixes them all in one go.
 */
export function loadConfig<S extends ConfigScope>(scope: S, env: NodeJS.ProcessEnv = process.env): ConfigFor<S> {
  // Empty variables count as unset, as most container platforms write them that way.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const result = schemas[scope].safeParse(present);
  if (!result.success) throw new ConfigError(result.error.issues.map((issue) => issue.message));
  return result.data as ConfigFor<S>;
}

/** Rejects a base URL that would send the API key in clear text to another machine. */
function checkBaseUrl(value: string): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [`SERVICEBAY_BASE_URL must be an absolute URL such as ${DEFAULT_BASE_URL} (got "${value}")`];
  }
  if (url.username || url.password) {
    return ["SERVICEBAY_BASE_URL must not contain a user name or password: the API key in SERVICEBAY_API_KEY is the only credential"];
  }
  if (url.protocol === "https:") return [];
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return [];
  if (url.protocol === "http:") {
    return [`SERVICEBAY_BASE_URL uses plain HTTP to ${url.hostname}, which would send the API key unencrypted: use https:// (plain http is allowed only for 127.0.0.1, ::1 and localhost)`];
  }
  return [`SERVICEBAY_BASE_URL must use https:// (got "${url.protocol}")`];
}

/** Returns a connection string with its password replaced, safe to log. */
export function redactDatabaseUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = "***";
    // libpq and node-postgres also read a password from the query string.
    if (url.searchParams.has("password")) url.searchParams.set("password", "***");
    return url.toString();
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}

/** Returns the passwords a connection string carries, in the user part or the query string. */
export function databasePasswords(value: string): string[] {
  try {
    const url = new URL(value);
    const passwords = [decodeURIComponent(url.password), url.searchParams.get("password") ?? ""];
    return passwords.filter((password) => password !== "").flatMap((password) => [password, encodeURIComponent(password)]);
  } catch {
    return [];
  }
}
