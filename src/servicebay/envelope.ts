import { z } from 'zod';

import { ServicebayApiError } from './errors.js';
import type { TicketListPage } from './types.js';

/** Longest API error text kept in an error message; an HTML page or a stack trace is cut. */
const MAX_API_MESSAGE_LENGTH = 300;

/**
 * Removes a secret from text that goes into an error message. A server may echo the API key
 * it rejected, and the key must not reach logs through our errors.
 */
export type Redact = (text: string) => string;

const listEnvelopeSchema = z.object({
  success: z.literal(true),
  data: z.object({
    // Tickets stay unknown here: parse.ts reads each one on its own, so one bad ticket
    // cannot reject the whole page.
    tickets: z.array(z.unknown()),
    pagination: z.object({
      hasMore: z.boolean(),
      nextCursor: z.string().nullish(),
    }),
  }),
});

const errorEnvelopeSchema = z.object({
  success: z.literal(false).optional(),
  error: z.union([z.string(), z.object({ message: z.string() })]),
});

/**
 * Parses a response body as JSON.
 *
 * A body that starts like JSON but does not parse was cut off in transit, so it is a retryable
 * `truncated_response`. So is an empty body. Anything else, such as an HTML page on a 200,
 * is a non-retryable `invalid_response`.
 */
export function parseJsonBody(body: string, status: number, redact: Redact): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    const start = body.trimStart();
    if (start === '' || start.startsWith('{') || start.startsWith('[')) {
      return throwTruncated(status, body.length, error);
    }
    throw new ServicebayApiError(
      `Servicebay returned a body that is not JSON (HTTP ${status}, starting with ` +
        `${JSON.stringify(redact(start).slice(0, 40))}). Check that SERVICEBAY_BASE_URL points at the ` +
        `Servicebay API, such as https://developer.servicebay.io/api/v1.`,
      { kind: 'invalid_response', status, retryable: false, cause: error },
    );
  }
}

function throwTruncated(status: number, length: number, cause: unknown): never {
  throw new ServicebayApiError(
    `Servicebay returned incomplete JSON (HTTP ${status}, ${length} characters); the response ` +
      `was probably cut off in transit.`,
    { kind: 'truncated_response', status, retryable: true, cause },
  );
}

/** Checks the list envelope of a successful response and returns the page it contains. */
export function readListEnvelope(json: unknown, status: number, redact: Redact): TicketListPage {
  const result = listEnvelopeSchema.safeParse(json);
  if (!result.success) {
    const apiMessage = readApiErrorMessage(json, redact);
    const quotedApiMessage = apiMessage === null ? '' : ` Servicebay's message: ${JSON.stringify(apiMessage)}.`;
    throw new ServicebayApiError(
      `Servicebay returned JSON without the expected ticket list envelope (HTTP ${status}): ` +
        `${describeIssues(result.error)}.${quotedApiMessage} Check that SERVICEBAY_BASE_URL points at the ` +
        `Servicebay API, such as https://developer.servicebay.io/api/v1.`,
      { kind: 'invalid_response', status, retryable: false, apiMessage },
    );
  }

  const { tickets, pagination } = result.data.data;
  return { tickets, hasMore: pagination.hasMore, nextCursor: pagination.nextCursor ?? null };
}

/** Returns the `error` text of an error envelope, shortened, or null when there is none. */
export function readApiErrorMessage(json: unknown, redact: Redact): string | null {
  const result = errorEnvelopeSchema.safeParse(json);
  if (!result.success) {
    return null;
  }

  const { error } = result.data;
  const message = redact(typeof error === 'string' ? error : error.message);
  if (message.length <= MAX_API_MESSAGE_LENGTH) {
    return message;
  }
  return `${message.slice(0, MAX_API_MESSAGE_LENGTH)}…`;
}

/** Reads the API error text from a raw body that may not be JSON at all (HTML from a proxy). */
export function readApiErrorMessageFromBody(body: string, redact: Redact): string | null {
  try {
    return readApiErrorMessage(JSON.parse(body), redact);
  } catch {
    return null;
  }
}

// Names each missing or mistyped member by its path, such as
// "data.pagination.hasMore: expected boolean, received undefined".
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path.length === 0 ? '(body)' : issue.path.join('.');
      return `${path}: ${issue.message.replace(/^Invalid input: /, '')}`;
    })
    .join('; ');
}
