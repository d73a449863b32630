/** The public surface of the local Servicebay simulator, used by tests, the demo and the benchmark. */

export interface SimulatorOrganisation {
  orgId: string;
  apiKey: string;
  /** Number of generated tickets at start. */
  tickets: number;
}

/** Faults the simulator injects; rates are fractions between 0 and 1 of list and get requests. */
export interface FaultOptions {
  /** Extra delay before every response, in milliseconds. */
  latencyMs: number;
  /** Fraction that gets 500, 502 (HTML body) or 503, chosen at random. */
  serverErrorRate: number;
  /** Fraction that never gets a response, until the client gives up. */
  hangRate: number;
  /** Fraction whose socket is destroyed before any response. */
  resetRate: number;
  /** Fraction that gets 200 with a JSON body cut in the middle. */
  truncatedRate: number;
  /** The next N requests are answered with 429 and a reset a second ahead. */
  rateLimitBurst: number;
}

export interface SimulatorOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  seed?: number;
  /** Organisations to serve; defaults to one organisation `org_demo` with key `sk_test_` + 32 zeros. */
  organisations?: SimulatorOrganisation[];
  /** Requests per minute per API key; null turns rate limiting off. Default 100. */
  rateLimitPerMinute?: number | null;
  /**
   * Length of the rate-limit window in ms, default 60,000. Tests shorten it to see several
   * windows in seconds; `rateLimitPerMinute` is then the number of requests per window.
   */
  rateLimitWindowMs?: number;
  faults?: Partial<FaultOptions>;
}

export interface SimulatorStats {
  requests: number;
  /** Responses counted by HTTP status code (hangs and resets are not counted here). */
  byStatus: Record<number, number>;
  /** Every `limit` query value received on the list endpoint, in order. */
  listLimits: string[];
}

/**
 * A hook that may replace the response to a list request, so tests can serve broken pages
 * (cursor going backwards, empty page with hasMore, missing cursor). Returning undefined serves
 * the normal response.
 */
export type ListInterceptor = (request: {
  orgId: string;
  startAfter: string | null;
  limit: number;
  /** The page the simulator would serve. */
  page: { tickets: Record<string, unknown>[]; hasMore: boolean; nextCursor: string | null };
}) => { status: number; body: unknown } | undefined;

export interface TicketStore {
  /** Tickets currently listed for the organisation. */
  count(orgId: string): number;
  get(orgId: string, id: string): Record<string, unknown> | undefined;
  /** Ticket IDs in list order (byte order), generated lazily. */
  ids(orgId: string): Iterable<string>;
  /** Tickets in list order, generated lazily. */
  tickets(orgId: string): Iterable<Record<string, unknown>>;
  /** Creates a ticket with a new random ID; `fields` override generated values. */
  create(orgId: string, fields?: Record<string, unknown>): Record<string, unknown>;
  /** Merges `patch` into the ticket; a field set to undefined is removed. Throws when not found. */
  update(orgId: string, id: string, patch: Record<string, unknown>): Record<string, unknown>;
  /** Returns false when the ticket did not exist. */
  remove(orgId: string, id: string): boolean;
  /**
   * Stores any payload at list position `sortKey`, served exactly as given, so tests can
   * serve tickets with no `id`, odd types or strings PostgreSQL rejects.
   */
  putRaw(orgId: string, sortKey: string, payload: unknown): void;
}

export interface RunningSimulator {
  /** Base URL to use as SERVICEBAY_BASE_URL, such as http://127.0.0.1:40123/api/v1. */
  url: string;
  port: number;
  store: TicketStore;
  stats: SimulatorStats;
  setFaults(faults: Partial<FaultOptions>): void;
  setRateLimit(perMinute: number | null): void;
  setListInterceptor(interceptor: ListInterceptor | undefined): void;
  close(): Promise<void>;
}
