import type { PageProgress } from "./scan.js";
import type { RunStart } from "./sync-run.js";

/** Values the progress line shows after a page. */
export interface ProgressSnapshot {
  page: number;
  /** Tickets listed by the run so far, earlier attempts of a resumed run included. */
  ticketsSeen: number;
  /** Tickets per second listed by this process since the run started here. */
  ticketsPerSecond: number;
  /** Requests left in the rate-limit window, or null when the API sent no header. */
  rateLimitRemaining: number | null;
  /** Tickets the previous successful run listed, the basis of the ETA; null when none succeeded. */
  expectedTickets: number | null;
}

/** Formats a duration as `42s`, `3m 05s` or `1h 02m`, rounded down to what it shows. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, "0")}m`;
  if (minutes > 0) return `${minutes}m ${String(seconds).padStart(2, "0")}s`;
  return `${seconds}s`;
}

/**
 * Returns the estimated time left, in ms, or null when there is no basis. The estimate assumes
 * that the organisation has as many tickets as the previous successful run listed, and that the
 * current rate holds.
 */
export function estimateRemainingMs(snapshot: ProgressSnapshot): number | null {
  if (snapshot.expectedTickets === null || snapshot.ticketsPerSecond <= 0) return null;
  const remaining = Math.max(0, snapshot.expectedTickets - snapshot.ticketsSeen);
  return (remaining / snapshot.ticketsPerSecond) * 1000;
}

/** Formats the one-line progress of a sync, such as `page 12, 1,200/2,500 jobs, 310 jobs/s, 88 requests left, ETA 4s`. */
export function formatProgressLine(snapshot: ProgressSnapshot): string {
  const count = (value: number) => value.toLocaleString("en-US");
  const jobs = snapshot.expectedTickets === null ? `${count(snapshot.ticketsSeen)} jobs` : `${count(snapshot.ticketsSeen)}/${count(snapshot.expectedTickets)} jobs`;
  const parts = [`page ${count(snapshot.page)}`, jobs, `${count(Math.round(snapshot.ticketsPerSecond))} jobs/s`];

  if (snapshot.rateLimitRemaining !== null) parts.push(`${count(snapshot.rateLimitRemaining)} requests left`);

  const remainingMs = estimateRemainingMs(snapshot);
  if (snapshot.expectedTickets === null) parts.push("ETA unknown (no earlier successful run)");
  else if (snapshot.ticketsSeen >= snapshot.expectedTickets) parts.push("past the previous run's job count");
  else if (remainingMs === null) parts.push("ETA unknown");
  else parts.push(`ETA ${formatDuration(remainingMs)}`);
  return parts.join(", ");
}

export interface ProgressReporter {
  onRunStarted(run: RunStart): void;
  onPage(progress: PageProgress): void;
  /** Clears the progress line, so other output starts on a clean line; the next page draws it again. */
  clear(): void;
}

export interface ProgressReporterOptions {
  /** Stream that receives the line; nothing is written unless it is a terminal. */
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  expectedTickets: number | null;
  /** Minimum time between two redraws, in ms. Default 100. */
  minIntervalMs?: number;
  now?: () => number;
}

const CLEAR_LINE = "\r\x1b[2K";

/**
 * Creates the progress line of `sync` in a terminal, redrawn in place with a carriage return.
 * Returns null when the stream is not a terminal, because log pipelines must not get it.
 */
export function createProgressReporter(options: ProgressReporterOptions): ProgressReporter | null {
  if (options.stream.isTTY !== true) return null;

  const now = options.now ?? Date.now;
  const minIntervalMs = options.minIntervalMs ?? 100;
  let startedAt = now();
  let ticketsAtStart = 0;
  let lastDrawnAt = Number.NEGATIVE_INFINITY;
  let drawn = false;

  return {
    onRunStarted(run) {
      startedAt = now();
      ticketsAtStart = run.counters.ticketsSeen;
    },
    onPage(progress) {
      const time = now();
      if (time - lastDrawnAt < minIntervalMs) return;
      lastDrawnAt = time;

      const elapsedSeconds = (time - startedAt) / 1000;
      const listedHere = progress.counters.ticketsSeen - ticketsAtStart;
      const line = formatProgressLine({
        page: progress.page,
        ticketsSeen: progress.counters.ticketsSeen,
        ticketsPerSecond: elapsedSeconds > 0 ? listedHere / elapsedSeconds : 0,
        rateLimitRemaining: progress.rateLimitRemaining,
        expectedTickets: options.expectedTickets,
      });
      // A line wider than the terminal wraps, and a carriage return then redraws only its end.
      const width = options.stream.columns ?? 0;
      options.stream.write(`${CLEAR_LINE}${width > 1 ? line.slice(0, width - 1) : line}`);
      drawn = true;
    },
    clear() {
      if (drawn) options.stream.write(CLEAR_LINE);
      drawn = false;
      lastDrawnAt = Number.NEGATIVE_INFINITY;
    },
  };
}
