/**
 * Kind of a Servicebay request failure, which the worker maps to an exit code.
 *
 * Errors that stop a sync run at once: `auth`, `forbidden`, `not_found`, `bad_request`,
 * `client_error`, `redirect`, `invalid_request`, `invalid_response`, `retry_budget_exhausted`,
 * `aborted`.
 * Transient kinds (`rate_limited`, `server_error`, `truncated_response`, `timeout`, `network`)
 * are retried. When the retry budget runs out, the caller gets `retry_budget_exhausted` with
 * the last transient error as its `cause`.
 */
export type ServicebayErrorKind =
  | 'auth'
  | 'forbidden'
  | 'not_found'
  | 'bad_request'
  | 'client_error'
  | 'redirect'
  | 'invalid_request'
  | 'invalid_response'
  | 'rate_limited'
  | 'server_error'
  | 'truncated_response'
  | 'timeout'
  | 'network'
  | 'retry_budget_exhausted'
  | 'aborted';

export interface ServicebayApiErrorOptions {
  kind: ServicebayErrorKind;
  /** HTTP status of the response, or null when no response arrived. */
  status: number | null;
  retryable: boolean;
  /** The `error` text of the API's error envelope, when the response had one. */
  apiMessage?: string | null;
  /** For `rate_limited`: when the rate-limit window resets, from `X-RateLimit-Reset` (ms since the Unix epoch). */
  rateLimitResetAtMs?: number | null;
  cause?: unknown;
}

/** A failed Servicebay request. Messages never contain the API key. */
export class ServicebayApiError extends Error {
  override readonly name = 'ServicebayApiError';
  readonly kind: ServicebayErrorKind;
  readonly status: number | null;
  readonly retryable: boolean;
  readonly apiMessage: string | null;
  readonly rateLimitResetAtMs: number | null;

  constructor(message: string, options: ServicebayApiErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = options.kind;
    this.status = options.status;
    this.retryable = options.retryable;
    this.apiMessage = options.apiMessage ?? null;
    this.rateLimitResetAtMs = options.rateLimitResetAtMs ?? null;
  }
}

/** The request that failed, for messages that name the organisation and the parameters. */
export interface FailedRequest {
  orgId: string;
  /** Query parameters as sent, such as `{ limit: '100', startAfter: 'abc' }`. */
  params: Record<string, string>;
}

/**
 * Builds the error for a 4xx response other than 429. Each message names the fix, because
 * retrying these statuses cannot help.
 */
export function clientErrorForStatus(
  status: number,
  apiMessage: string | null,
  request: FailedRequest,
): ServicebayApiError {
  const org = JSON.stringify(request.orgId);
  const quotedApiMessage = apiMessage === null ? '' : ` Servicebay's message: ${JSON.stringify(apiMessage)}.`;
  const options = { status, retryable: false, apiMessage };

  switch (status) {
    case 401:
      return new ServicebayApiError(
        `Servicebay rejected the API key (HTTP 401). Check SERVICEBAY_API_KEY.${quotedApiMessage}`,
        { ...options, kind: 'auth' },
      );
    case 403:
      return new ServicebayApiError(
        `The API key has no access to organisation ${org} (HTTP 403). The key belongs to another ` +
          `organisation: check SERVICEBAY_ORG_ID and SERVICEBAY_API_KEY.${quotedApiMessage}`,
        { ...options, kind: 'forbidden' },
      );
    case 404:
      return new ServicebayApiError(
        `Organisation ${org} was not found (HTTP 404). Check SERVICEBAY_ORG_ID.${quotedApiMessage}`,
        { ...options, kind: 'not_found' },
      );
    case 400:
      return new ServicebayApiError(
        `Servicebay rejected the request parameters ${formatParams(request.params)} for ` +
          `organisation ${org} (HTTP 400).${quotedApiMessage} A rejected startAfter usually means the saved ` +
          `cursor is invalid; otherwise report this message as a bug.`,
        { ...options, kind: 'bad_request' },
      );
    default:
      return new ServicebayApiError(
        `Servicebay rejected the ticket list request for organisation ${org} (HTTP ${status}).${quotedApiMessage} ` +
          `The run stops because retrying cannot fix a client error.`,
        { ...options, kind: 'client_error' },
      );
  }
}

function formatParams(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join(', ');
}

/** Describes a failure in one line, for retry logs and the budget-exhausted message. */
export function describeFailure(error: unknown): string {
  if (error instanceof ServicebayApiError) {
    return error.status === null ? error.kind : `HTTP ${error.status} (${error.kind})`;
  }
  return error instanceof Error ? error.message : String(error);
}
