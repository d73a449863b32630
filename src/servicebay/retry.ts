import { setTimeout as sleep } from 'node:timers/promises';

import pRetry, { AbortError } from 'p-retry';
import type { Logger } from 'pino';

import { describeFailure, ServicebayApiError } from './errors.js';
import { resetJitterMs, usableResetDelayMs } from './pacing.js';

/** One retry of a failed request, reported when the retry starts. */
export interface RetryEvent {
  /** Number of the attempt about to run: 2 for the first retry. */
  attempt: number;
  /** HTTP status of the failed attempt, or null when no response arrived. */
  status: number | null;
  /** Kind of the failure, such as `server_error`, `timeout`, `network` or `rate_limited`. */
  reason: string;
  /** Time spent between the failure and this retry, in ms. */
  waitMs: number;
}

export interface RetryOptions {
  /** Total time budget of one request with all its retries and waits, in ms. */
  maxRetryMs: number;
  /** First backoff delay in ms; each further delay doubles, times a random factor of 1 to 2. */
  minBackoffMs: number;
  maxBackoffMs: number;
  logger: Logger;
  signal?: AbortSignal | undefined;
  onRetry?: ((event: RetryEvent) => void) | undefined;
}

/**
 * Runs `attempt` with retries until it succeeds, fails for good, or the budget runs out.
 *
 * What is retried: ServicebayApiErrors with `retryable` set, which the client raises for
 * 5xx responses, 429, timeouts, network failures and truncated JSON. Every other error stops
 * at once. A 429 with a usable `X-RateLimit-Reset` waits until the reset plus jitter and does
 * not advance the exponential backoff. A 429 without one backs off like a 5xx. Every wait
 * between attempts counts against `maxRetryMs`. When the budget is spent, the caller gets a
 * `retry_budget_exhausted` error whose cause is the last failure.
 */
export async function runWithRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const startedAt = performance.now();
  let attempts = 0;
  let lastError: unknown = null;
  let lastFailedAt = startedAt;
  let waitedForReset = false;

  const runAttempt = async (attemptNumber: number): Promise<T> => {
    attempts = attemptNumber;
    if (attemptNumber > 1) {
      reportRetry(attemptNumber, lastError, performance.now() - lastFailedAt, options);
    }

    try {
      return await attempt(attemptNumber);
    } catch (error) {
      // p-retry's AbortError stops the retries and rejects with the wrapped error itself.
      if (error instanceof ServicebayApiError && !error.retryable) {
        throw new AbortError(error);
      }
      throw error;
    }
  };

  const waitForResetIfKnown = async (error: Error): Promise<void> => {
    waitedForReset = false;
    const resetDelayMs = rateLimitResetDelayMs(error);
    if (resetDelayMs === null) {
      return;
    }

    const waitMs = Math.ceil(resetDelayMs) + resetJitterMs();
    const budgetLeftMs = options.maxRetryMs - (performance.now() - startedAt);
    if (waitMs > budgetLeftMs) {
      throw budgetExhaustedError(error, performance.now() - startedAt, attempts);
    }

    options.logger.info({ attempt: attempts, status: 429, waitMs }, 'waiting for Servicebay rate limit reset');
    await sleep(waitMs, undefined, { signal: options.signal });
    waitedForReset = true;
  };

  try {
    return await pRetry(runAttempt, {
      retries: Number.POSITIVE_INFINITY,
      factor: 2,
      minTimeout: options.minBackoffMs,
      maxTimeout: options.maxBackoffMs,
      randomize: true,
      maxRetryTime: options.maxRetryMs,
      signal: options.signal,
      onFailedAttempt: async ({ error }) => {
        lastError = error;
        lastFailedAt = performance.now();
        if (isRetryable(error)) {
          await waitForResetIfKnown(error);
        }
      },
      // The reset wait already spaced this retry, so it must not also grow the backoff.
      shouldConsumeRetry: () => !waitedForReset,
      shouldRetry: ({ error }) => isRetryable(error),
    });
  } catch (error) {
    throw finalError(error, performance.now() - startedAt, attempts, options.signal);
  }
}

function isRetryable(error: unknown): boolean {
  return error instanceof ServicebayApiError && error.retryable;
}

function rateLimitResetDelayMs(error: Error): number | null {
  if (!(error instanceof ServicebayApiError) || error.kind !== 'rate_limited') {
    return null;
  }
  return usableResetDelayMs(error.rateLimitResetAtMs, Date.now());
}

function reportRetry(attempt: number, lastError: unknown, waitedMs: number, options: RetryOptions): void {
  const event: RetryEvent = {
    attempt,
    status: lastError instanceof ServicebayApiError ? lastError.status : null,
    reason: lastError instanceof ServicebayApiError ? lastError.kind : describeFailure(lastError),
    waitMs: Math.round(waitedMs),
  };
  const message = lastError instanceof Error ? lastError.message : String(lastError);

  options.logger.warn({ ...event, error: message }, 'retrying Servicebay request');
  options.onRetry?.(event);
}

// Converts the rejection of p-retry into the error that runWithRetries throws.
function finalError(
  error: unknown,
  elapsedMs: number,
  attempts: number,
  signal: AbortSignal | undefined,
): unknown {
  if (error instanceof ServicebayApiError && !error.retryable) {
    return error;
  }

  if (signal?.aborted) {
    return new ServicebayApiError(
      `The Servicebay request was cancelled after ${formatSeconds(elapsedMs)} s because the ` +
        `sync run was stopped (${describeFailure(signal.reason)}).`,
      { kind: 'aborted', status: null, retryable: false, cause: signal.reason },
    );
  }

  if (isRetryable(error)) {
    return budgetExhaustedError(error, elapsedMs, attempts);
  }
  return error;
}

function budgetExhaustedError(lastError: unknown, elapsedMs: number, attempts: number): ServicebayApiError {
  const status = lastError instanceof ServicebayApiError ? lastError.status : null;
  const lastMessage = lastError instanceof Error ? lastError.message : String(lastError);
  return new ServicebayApiError(
    `The Servicebay API kept failing for ${formatSeconds(elapsedMs)} s over ${attempts} ` +
      `attempt(s), which spent the retry budget. Last failure: ${lastMessage} The run stops ` +
      `here, and the next run resumes from the last saved cursor.`,
    { kind: 'retry_budget_exhausted', status, retryable: false, cause: lastError },
  );
}

function formatSeconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}
