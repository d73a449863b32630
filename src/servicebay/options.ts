import type { Logger } from 'pino';

import type { RetryEvent } from './retry.js';

/** One HTTP response received, whatever its status. */
export interface ResponseEvent {
  status: number;
  /** Time from sending the request to reading the whole body, in ms. */
  durationMs: number;
  rateLimitRemaining: number | null;
  rateLimitLimit: number | null;
}

export interface ServicebayClientOptions {
  /** Base URL of the API, such as `https://developer.servicebay.io/api/v1`. */
  baseUrl: string;
  /** Sent only in the `X-API-Key` header, never in a URL, a message or a log line. */
  apiKey: string;
  orgId: string;
  logger: Logger;
  /** Value of `limit` on every list request, 1 to 100. Default 100, the API maximum. */
  pageSize?: number;
  /** Timeout of one HTTP request including its body, in ms. Default 30,000. */
  requestTimeoutMs?: number;
  /** Time budget of one page request, from its first attempt to its last retry, in seconds. Default 300. */
  maxRetrySeconds?: number;
  /** First retry delay in ms; later delays double, with jitter. Default 500. */
  minBackoffMs?: number;
  /** Maximum delay between two retries in ms. Default 30,000. */
  maxBackoffMs?: number;
  /** Whether to spread requests over the rate-limit window (see pacing.ts). Default true. */
  pacing?: boolean;
  /** Stops the current request and any wait; the request then fails with kind `aborted`. */
  signal?: AbortSignal;
  onResponse?: (event: ResponseEvent) => void;
  onRetry?: (event: RetryEvent) => void;
}

/** The options with every default filled in. */
export type ResolvedOptions = Required<Omit<ServicebayClientOptions, 'signal' | 'onResponse' | 'onRetry'>> &
  Pick<ServicebayClientOptions, 'signal' | 'onResponse' | 'onRetry'>;

/** Maximum `limit` the list endpoint accepts. */
export const API_MAX_PAGE_SIZE = 100;

/** Fills in the defaults and checks every option, with messages that never quote the API key. */
export function resolveOptions(options: ServicebayClientOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    pageSize: API_MAX_PAGE_SIZE,
    requestTimeoutMs: 30_000,
    maxRetrySeconds: 300,
    minBackoffMs: 500,
    maxBackoffMs: 30_000,
    pacing: true,
    ...withoutUndefined(options),
  };

  if (resolved.apiKey.trim() === '') {
    throw new TypeError('The Servicebay API key is empty. Set SERVICEBAY_API_KEY.');
  }
  // fetch() would reject such a key with an error that quotes it, so it is checked here
  // with a message that does not.
  if (!/^[\x21-\x7e]+$/.test(resolved.apiKey)) {
    throw new TypeError(
      'The Servicebay API key contains spaces, line breaks or non-ASCII characters, which an HTTP ' +
        'header cannot carry. Check SERVICEBAY_API_KEY for stray characters.',
    );
  }
  if (resolved.orgId.trim() === '') {
    throw new TypeError('The Servicebay organisation ID is empty. Set SERVICEBAY_ORG_ID.');
  }
  if (!Number.isInteger(resolved.pageSize) || resolved.pageSize < 1 || resolved.pageSize > API_MAX_PAGE_SIZE) {
    throw new RangeError(`pageSize must be an integer from 1 to ${API_MAX_PAGE_SIZE}, got ${resolved.pageSize}.`);
  }
  for (const name of ['requestTimeoutMs', 'maxRetrySeconds', 'minBackoffMs', 'maxBackoffMs'] as const) {
    const value = resolved[name];
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`${name} must be a finite number of at least 0, got ${value}.`);
    }
  }
  return resolved;
}

// Spreading `{ pageSize: undefined }` over the defaults would erase the default.
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

/** Builds the URL of the ticket list of `orgId` below the base URL, which may end in a slash. */
export function buildTicketsUrl(baseUrl: string, orgId: string): URL {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    throw new TypeError(`The Servicebay base URL ${JSON.stringify(baseUrl)} is not a valid URL. Set SERVICEBAY_BASE_URL.`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new TypeError(`The Servicebay base URL must use https (or http on loopback), got ${base.protocol}.`);
  }
  if (base.username !== '' || base.password !== '') {
    throw new TypeError('The Servicebay base URL must not contain a user name or password. Set SERVICEBAY_BASE_URL without them.');
  }

  const path = `${base.pathname.replace(/\/+$/, '')}/organisations/${encodeURIComponent(orgId)}/tickets`;
  return new URL(path, base);
}
