/**
 * Rate-limit pacing: spread the requests left in a rate-limit window over the time left in it,
 * so that a client that is the only user of its API key never receives a 429.
 *
 * Servicebay sends `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (Unix
 * seconds at which the window resets) on every response. The limit is per key, so other
 * integrations using the same key consume the same window. The headers of our own responses
 * show how much of it they left.
 */

/** The rate-limit headers of the last response; null where a header was missing or invalid. */
export interface RateLimitState {
  limit: number | null;
  remaining: number | null;
  /** When the window resets, in ms since the Unix epoch. */
  resetAtMs: number | null;
}

/**
 * Maximum time ahead that a reset is believed. A larger value is more likely a clock or unit
 * error (milliseconds sent as seconds) than a real window, so the caller falls back to backoff.
 */
export const MAX_RESET_AHEAD_MS = 10 * 60_000;

/** Maximum random delay added after a reset, so that clients sharing a key do not all fire at once. */
export const RESET_JITTER_MS = 250;

/**
 * While at least this share of the window's requests remain, requests go out without delay,
 * so short scans finish at full speed.
 */
const LOW_REMAINING_SHARE = 0.1;
/** Minimum low-remaining threshold, for small limits where 10 % rounds to 0 or 1. */
const MIN_LOW_REMAINING = 2;

export function emptyRateLimitState(): RateLimitState {
  return { limit: null, remaining: null, resetAtMs: null };
}

/** Reads the rate-limit headers of one response. */
export function readRateLimitHeaders(headers: Headers): RateLimitState {
  const resetSeconds = readNonNegativeNumber(headers.get('x-ratelimit-reset'));
  return {
    limit: readNonNegativeNumber(headers.get('x-ratelimit-limit')),
    remaining: readNonNegativeNumber(headers.get('x-ratelimit-remaining')),
    resetAtMs: resetSeconds === null ? null : resetSeconds * 1000,
  };
}

function readNonNegativeNumber(value: string | null): number | null {
  if (value === null || !/^\s*\d+(\.\d+)?\s*$/.test(value)) {
    return null;
  }
  return Number(value);
}

/**
 * Returns the time until `resetAtMs`, or null when the reset is unknown, already past, or more
 * than MAX_RESET_AHEAD_MS ahead. Null means the reset header cannot be used to time a wait.
 */
export function usableResetDelayMs(resetAtMs: number | null, nowMs: number): number | null {
  if (resetAtMs === null) {
    return null;
  }

  const delayMs = resetAtMs - nowMs;
  if (delayMs <= 0 || delayMs > MAX_RESET_AHEAD_MS) {
    return null;
  }
  return delayMs;
}

/** Returns a random delay from 0 to RESET_JITTER_MS. */
export function resetJitterMs(random: () => number = Math.random): number {
  return Math.floor(random() * RESET_JITTER_MS);
}

/**
 * Computes how long to wait before the next request, in ms.
 *
 * - No usable reset or no remaining count: 0, because there is nothing to pace by.
 * - Remaining above the low threshold (10 % of the limit, at least 2): 0.
 * - Remaining 0: until the reset plus jitter.
 * - Otherwise `timeUntilReset / (remaining + 1)`, so the last requests are spread evenly
 *   over the rest of the window instead of running into a 429.
 *
 * NOTE: the reset header has whole-second resolution. A server that rounds the reset down
 * reopens the window up to 1 s after the time we wait for, and the request after that wait
 * may still get a 429, which the retry logic then waits out.
 */
export function computePacingWaitMs(
  state: RateLimitState,
  nowMs: number,
  random: () => number = Math.random,
): number {
  const untilResetMs = usableResetDelayMs(state.resetAtMs, nowMs);
  if (untilResetMs === null || state.remaining === null) {
    return 0;
  }

  if (state.remaining <= 0) {
    return Math.ceil(untilResetMs) + resetJitterMs(random);
  }

  if (state.remaining > lowRemainingThreshold(state.limit)) {
    return 0;
  }
  return Math.ceil(untilResetMs / (state.remaining + 1));
}

function lowRemainingThreshold(limit: number | null): number {
  if (limit === null) {
    return MIN_LOW_REMAINING;
  }
  return Math.max(MIN_LOW_REMAINING, Math.ceil(limit * LOW_REMAINING_SHARE));
}
