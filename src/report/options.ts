/** Options of `servicebay-sync report durations`, validated in one place. */

export const GROUPINGS = ["week", "month", "technician", "location", "status"] as const;
export type Grouping = (typeof GROUPINGS)[number];

export const FORMATS = ["table", "csv", "json"] as const;
export type ReportFormat = (typeof FORMATS)[number];

/** Raised for an invalid option value; the command prints the message and exits with code 2. */
export class ReportOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReportOptionError";
  }
}

/** A closed-at range of whole UTC days: `since` is included, `until` is excluded. */
export interface DayRange {
  /** YYYY-MM-DD, the first day included. */
  since: string;
  /** YYYY-MM-DD, the first day no longer included. */
  until: string;
}

const DAY_MS = 86_400_000;
/** The default range covers this many calendar weeks, the current one included. */
const DEFAULT_WEEKS = 12;

/** Parses a calendar date in the form YYYY-MM-DD, rejecting dates such as 2026-02-30. */
export function parseDay(text: string, option: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day) return text;
  }
  throw new ReportOptionError(`${option} must be a calendar date in the form YYYY-MM-DD, such as 2026-03-01 (got "${text}").`);
}

/**
 * Resolves --since and --until into a day range. Without --until the range ends tomorrow, so
 * jobs closed today count. Without --since it starts on the Monday 11 weeks before the week of
 * the last included day, so `--by week` shows 12 calendar weeks.
 */
export function resolveDayRange(options: { since?: string | undefined; until?: string | undefined }, now: Date = new Date()): DayRange {
  const until = options.until === undefined ? formatDay(startOfDay(now).getTime() + DAY_MS) : parseDay(options.until, "--until");
  const since = options.since === undefined ? defaultSince(until) : parseDay(options.since, "--since");

  if (since >= until) {
    throw new ReportOptionError(`--since (${since}) must be earlier than --until (${until}); --until is the first day not included.`);
  }
  return { since, until };
}

/** Returns the start of a YYYY-MM-DD day as an ISO 8601 instant in UTC. */
export function dayStart(day: string): string {
  return `${day}T00:00:00Z`;
}

function defaultSince(until: string): string {
  const lastIncluded = new Date(Date.parse(dayStart(until)) - DAY_MS);
  const daysSinceMonday = (lastIncluded.getUTCDay() + 6) % 7;
  return formatDay(lastIncluded.getTime() - (daysSinceMonday + 7 * (DEFAULT_WEEKS - 1)) * DAY_MS);
}

function startOfDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

function formatDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
