/**
 * Fixed-window rate limiting per API key: each key gets `limit` requests in the window (60
 * seconds, as at Servicebay, unless a test shortens it) after its first request, and a new
 * window starts with the first request after that.
 */

/** Servicebay's window: its limits are per minute. */
export const DEFAULT_WINDOW_MS = 60_000;

/** Bucket count above which buckets of ended windows are removed, so keys seen once do not stay in memory. */
const MAX_BUCKETS = 1000;

/** Returns `perMinute` if it is a positive integer or null, and throws a RangeError otherwise. */
export function validateRateLimit(perMinute: number | null): number | null {
  if (perMinute !== null && !(Number.isInteger(perMinute) && perMinute >= 1)) {
    throw new RangeError(`Invalid rate limit ${perMinute}: expected a positive integer of requests per minute, or null for no limit.`);
  }
  return perMinute;
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix time in seconds at which the window resets. */
  resetSeconds: number;
}

interface Bucket {
  windowEndMs: number;
  used: number;
}

/** Returns `windowMs` if it is a positive integer, and throws a RangeError otherwise. */
export function validateWindowMs(windowMs: number): number {
  if (!(Number.isInteger(windowMs) && windowMs >= 1)) {
    throw new RangeError(`Invalid rate-limit window ${windowMs}: expected a positive integer of milliseconds.`);
  }
  return windowMs;
}

export class FixedWindowRateLimiter {
  private limit: number | null;
  private readonly windowMs: number;
  private readonly buckets = new Map<string, Bucket>();

  /**
   * `limit` is the number of requests per window per key, or null for no limit. `windowMs` is
   * the window's length in milliseconds.
   */
  constructor(limit: number | null, windowMs: number = DEFAULT_WINDOW_MS) {
    this.limit = limit;
    this.windowMs = validateWindowMs(windowMs);
  }

  get limitPerMinute(): number | null {
    return this.limit;
  }

  setLimit(limit: number | null): void {
    this.limit = limit;
  }

  /** Counts a request for `key` and returns whether it is allowed, or undefined when there is no limit. */
  take(key: string, nowMs: number): RateLimitDecision | undefined {
    if (this.limit === null) {
      return undefined;
    }

    let bucket = this.buckets.get(key);
    if (bucket === undefined || nowMs >= bucket.windowEndMs) {
      this.pruneIfFull(nowMs);
      bucket = { windowEndMs: nowMs + this.windowMs, used: 0 };
      this.buckets.set(key, bucket);
    }

    bucket.used += 1;
    return {
      allowed: bucket.used <= this.limit,
      limit: this.limit,
      remaining: Math.max(0, this.limit - bucket.used),
      resetSeconds: Math.ceil(bucket.windowEndMs / 1000),
    };
  }

  private pruneIfFull(nowMs: number): void {
    if (this.buckets.size < MAX_BUCKETS) {
      return;
    }
    for (const [key, bucket] of this.buckets) {
      if (nowMs >= bucket.windowEndMs) {
        this.buckets.delete(key);
      }
    }
  }
}
