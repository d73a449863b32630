import { setTimeout as sleep } from 'node:timers/promises';

import type { Logger } from 'pino';

import { parseJsonBody, readApiErrorMessageFromBody, readListEnvelope } from './envelope.js';
import { clientErrorForStatus, ServicebayApiError } from './errors.js';
import type { FailedRequest } from './errors.js';
import { computePacingWaitMs, emptyRateLimitState, readRateLimitHeaders } from './pacing.js';
import type { RateLimitState } from './pacing.js';
import { runWithRetries } from './retry.js';
import { buildTicketsUrl, resolveOptions } from './options.js';
import type { ResolvedOptions, ServicebayClientOptions } from './options.js';
import type { TicketListPage } from './types.js';

export type { ResponseEvent, ServicebayClientOptions } from './options.js';
export type { RetryEvent } from './retry.js';

/** Counters since the client was created, plus the rate-limit headers of the last response. */
export interface ServicebayClientStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  retries: number;
  /** Responses with status 429. */
  rateLimited: number;
  rateLimitRemaining: number | null;
  rateLimitLimit: number | null;
  /** When the current rate-limit window resets, in ms since the Unix epoch. */
  rateLimitResetAt: number | null;
}

const REDACTED = '[redacted]';

/**
 * Reads the ticket list of one organisation, page by page, with retries and rate-limit pacing.
 *
 * The API key lives in a private field, so serialising or logging the client cannot show it.
 */
export class ServicebayClient {
  readonly #options: ResolvedOptions;
  readonly #ticketsUrl: URL;
  readonly #logger: Logger;
  readonly #stats: ServicebayClientStats = {
    requests: 0,
    retries: 0,
    rateLimited: 0,
    rateLimitRemaining: null,
    rateLimitLimit: null,
    rateLimitResetAt: null,
  };
  #rateLimit: RateLimitState = emptyRateLimitState();

  constructor(options: ServicebayClientOptions) {
    this.#options = resolveOptions(options);
    this.#ticketsUrl = buildTicketsUrl(this.#options.baseUrl, this.#options.orgId);
    this.#logger = this.#options.logger;
  }

  /** A snapshot of the counters; changing it does not change the client. */
  get stats(): Readonly<ServicebayClientStats> {
    return { ...this.#stats };
  }

  /**
   * Fetches the page of tickets after the cursor `startAfter`, or the first page when it is null.
   * Throws a ServicebayApiError when the request fails for good.
   */
  async fetchTicketPage(startAfter: string | null): Promise<TicketListPage> {
    const params: Record<string, string> = { limit: String(this.#options.pageSize) };
    if (startAfter !== null) {
      params.startAfter = startAfter;
    }
    const url = new URL(this.#ticketsUrl);
    url.search = new URLSearchParams(params).toString();
    const request: FailedRequest = { orgId: this.#options.orgId, params };

    await this.#paceBeforeRequest();
    return runWithRetries(
      async (attemptNumber) => {
        if (attemptNumber > 1) {
          this.#stats.retries += 1;
          await this.#paceBeforeRequest();
        }
        return this.#requestPage(url, request);
      },
      {
        maxRetryMs: this.#options.maxRetrySeconds * 1000,
        minBackoffMs: this.#options.minBackoffMs,
        maxBackoffMs: this.#options.maxBackoffMs,
        logger: this.#logger,
        signal: this.#options.signal,
        onRetry: this.#options.onRetry,
      },
    );
  }

  async #paceBeforeRequest(): Promise<void> {
    if (!this.#options.pacing) {
      return;
    }

    const waitMs = computePacingWaitMs(this.#rateLimit, Date.now());
    if (waitMs <= 0) {
      return;
    }

    // A wait for the window to reset happens about once a window and may last a minute, so it
    // is logged at info. The shorter waits that spread the last requests are logged at debug.
    const level = this.#rateLimit.remaining === 0 ? 'info' : 'debug';
    this.#logger[level](
      { waitMs, rateLimitRemaining: this.#rateLimit.remaining, rateLimitLimit: this.#rateLimit.limit },
      'pacing Servicebay requests to the rate limit',
    );
    try {
      await sleep(waitMs, undefined, { signal: this.#options.signal });
    } catch (error) {
      throw this.#options.signal?.aborted ? this.#abortedError() : error;
    }
  }

  async #requestPage(url: URL, request: FailedRequest): Promise<TicketListPage> {
    const timeout = AbortSignal.timeout(this.#options.requestTimeoutMs);
    const signal = this.#options.signal ? AbortSignal.any([this.#options.signal, timeout]) : timeout;
    const startedAt = performance.now();
    this.#stats.requests += 1;

    let response: Response;
    try {
      response = await fetch(url, {
        headers: { 'X-API-Key': this.#options.apiKey, Accept: 'application/json' },
        // A redirect could carry the key to another host, because fetch forwards custom
        // headers on cross-origin redirects. So no redirect is followed.
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      throw this.#transportError(error, url);
    }

    this.#recordRateLimit(response.headers);
    let body: string;
    try {
      body = await response.text();
    } catch (error) {
      throw this.#transportError(error, url);
    }

    const durationMs = performance.now() - startedAt;
    this.#logger.debug(
      { status: response.status, durationMs: Math.round(durationMs), cursor: request.params.startAfter ?? null },
      'Servicebay responded',
    );
    this.#options.onResponse?.({
      status: response.status,
      durationMs,
      rateLimitRemaining: this.#rateLimit.remaining,
      rateLimitLimit: this.#rateLimit.limit,
    });

    return this.#readListResponse(response, body, request);
  }

  #recordRateLimit(headers: Headers): void {
    this.#rateLimit = readRateLimitHeaders(headers);
    this.#stats.rateLimitRemaining = this.#rateLimit.remaining;
    this.#stats.rateLimitLimit = this.#rateLimit.limit;
    this.#stats.rateLimitResetAt = this.#rateLimit.resetAtMs;
  }

  // Maps each status to a page or an error. Retryable errors go back to runWithRetries.
  #readListResponse(response: Response, body: string, request: FailedRequest): TicketListPage {
    const { status } = response;
    const redact = (text: string): string => this.#redact(text);

    if (status >= 200 && status < 300) {
      return readListEnvelope(parseJsonBody(body, status, redact), status, redact);
    }

    const apiMessage = readApiErrorMessageFromBody(body, redact);
    if (status === 429) {
      this.#stats.rateLimited += 1;
      const quotedApiMessage = apiMessage === null ? '' : ` Servicebay's message: ${JSON.stringify(apiMessage)}.`;
      throw new ServicebayApiError(`Servicebay rate limit exceeded (HTTP 429).${quotedApiMessage}`, {
        kind: 'rate_limited',
        status,
        retryable: true,
        apiMessage,
        rateLimitResetAtMs: this.#rateLimit.resetAtMs,
      });
    }

    if (status >= 500) {
      // Proxies respond with HTML pages on 502, 503 and 504, so the body is quoted only when it
      // contains the API's error envelope.
      const quotedApiMessage = apiMessage === null ? '' : ` Servicebay's message: ${JSON.stringify(apiMessage)}.`;
      throw new ServicebayApiError(`Servicebay returned a server error (HTTP ${status}).${quotedApiMessage}`, {
        kind: 'server_error',
        status,
        retryable: true,
        apiMessage,
      });
    }

    if (status >= 300 && status < 400) {
      const location = readRedirectTarget(response.headers.get('location'), response.url);
      throw new ServicebayApiError(
        `Servicebay responded with a redirect (HTTP ${status}) to ${location}, which the client ` +
          `does not follow so that the API key goes only to the configured host. Set ` +
          `SERVICEBAY_BASE_URL to the final URL of the API.`,
        { kind: 'redirect', status, retryable: false },
      );
    }

    throw clientErrorForStatus(status, apiMessage, request);
  }

  // Classifies a failure of fetch() or of reading the body, where no status is available.
  #transportError(error: unknown, url: URL): ServicebayApiError {
    if (this.#options.signal?.aborted) {
      return this.#abortedError();
    }

    if (error instanceof Error && error.name === 'TimeoutError') {
      return new ServicebayApiError(
        `Servicebay did not respond within ${this.#options.requestTimeoutMs} ms (request to ${url.host}).`,
        { kind: 'timeout', status: null, retryable: true, cause: error },
      );
    }

    // fetch() in Node.js (undici) reports a refused, reset or closed connection as
    // `TypeError: fetch failed`, or `terminated` while reading the body, with the system
    // error as `cause`.
    if (error instanceof TypeError && error.cause instanceof Error && error.cause.message === 'bad port') {
      return new ServicebayApiError(
        `fetch() blocks the port of ${url.host}, because it is on the fetch standard's list of ` +
          `ports reserved for other protocols. Use another port in SERVICEBAY_BASE_URL.`,
        { kind: 'invalid_request', status: null, retryable: false, cause: error },
      );
    }
    if (error instanceof TypeError && (error.message === 'fetch failed' || error.message === 'terminated')) {
      return new ServicebayApiError(
        `Could not reach Servicebay at ${url.host} (${describeNetworkCause(error)}).`,
        { kind: 'network', status: null, retryable: true, cause: error },
      );
    }

    // Any other error means fetch() could not build the request. Its message may quote a
    // header value, so it is redacted and the original error is not kept as the cause.
    const message = error instanceof Error ? error.message : String(error);
    return new ServicebayApiError(
      `The request to Servicebay at ${url.host} could not be sent: ${this.#redact(message)}`,
      { kind: 'invalid_request', status: null, retryable: false },
    );
  }

  #abortedError(): ServicebayApiError {
    return new ServicebayApiError(
      `The Servicebay request to ${this.#ticketsUrl.host} was cancelled because the sync run was stopped.`,
      { kind: 'aborted', status: null, retryable: false, cause: this.#options.signal?.reason },
    );
  }

  #redact(text: string): string {
    return text.replaceAll(this.#options.apiKey, REDACTED);
  }
}


function readRedirectTarget(location: string | null, requestUrl: string): string {
  if (location === null) {
    return 'no Location header';
  }
  try {
    const target = new URL(location, requestUrl);
    return `${target.origin}${target.pathname}`;
  } catch {
    return JSON.stringify(location.slice(0, 100));
  }
}

function describeNetworkCause(error: TypeError): string {
  const { cause } = error;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ?? cause.message;
  }
  return error.message;
}
