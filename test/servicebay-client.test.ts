import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';

import { pino } from 'pino';
import type { Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';

import { ServicebayClient } from '../src/servicebay/client.js';
import type { ResponseEvent, ServicebayClientOptions } from '../src/servicebay/client.js';
import { ServicebayApiError } from '../src/servicebay/errors.js';
import { isLoopbackHost } from '../src/servicebay/loopback.js';
import type { RetryEvent } from '../src/servicebay/retry.js';

const API_KEY = 'sk_test_0123456789abcdef0123456789abcdef';
const ORG_ID = 'org_test';

interface RecordedRequest {
  method: string;
  /** The request target exactly as sent, before any decoding. */
  rawUrl: string;
  url: URL;
  headers: IncomingHttpHeaders;
  receivedAtMs: number;
}

type Handler = (request: IncomingMessage, response: ServerResponse, index: number) => void;

interface TestServer {
  baseUrl: string;
  port: number;
  requests: RecordedRequest[];
  server: Server;
}

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

async function startServer(handler: Handler, port = 0): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((request, response) => {
    const rawUrl = request.url ?? '';
    requests.push({
      method: request.method ?? '',
      rawUrl,
      url: new URL(rawUrl, 'http://127.0.0.1'),
      headers: request.headers,
      receivedAtMs: Date.now(),
    });
    handler(request, response, requests.length - 1);
  });
  servers.push(server);
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${address.port}/api/v1`, port: address.port, requests, server };
}

/** Returns a loopback port that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

function listBody(ids: string[], hasMore: boolean): unknown {
  return {
    success: true,
    data: {
      tickets: ids.map((id) => ({ id })),
      pagination: { limit: 100, hasMore, nextCursor: hasMore ? ids.at(-1) : null },
    },
  };
}

const sendOkPage = (response: ServerResponse): void => sendJson(response, 200, listBody(['a1'], false));
const okPage: Handler = (_request, response) => sendOkPage(response);

function captureLogger(): { logger: Logger; lines: () => string; records: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = pino({ level: 'debug' }, stream);
  const lines = (): string => chunks.join('');
  const records = (): Array<Record<string, unknown>> =>
    lines()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, records };
}

function makeClient(baseUrl: string, options: Partial<ServicebayClientOptions> = {}): ServicebayClient {
  return new ServicebayClient({
    baseUrl,
    apiKey: API_KEY,
    orgId: ORG_ID,
    logger: options.logger ?? pino({ level: 'silent' }),
    minBackoffMs: 10,
    maxBackoffMs: 50,
    maxRetrySeconds: 3,
    requestTimeoutMs: 2000,
    pacing: false,
    ...options,
  });
}

async function captureError(promise: Promise<unknown>): Promise<ServicebayApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ServicebayApiError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected the request to fail, but it succeeded');
}

describe('ServicebayClient paging', () => {
  it('pages until hasMore is false', async () => {
    const { baseUrl, requests } = await startServer((request, response) => {
      const startAfter = new URL(request.url ?? '', 'http://x').searchParams.get('startAfter');
      if (startAfter === null) sendJson(response, 200, listBody(['a1', 'a2'], true));
      else if (startAfter === 'a2') sendJson(response, 200, listBody(['b1', 'b2'], true));
      else sendJson(response, 200, listBody(['c1'], false));
    });
    const client = makeClient(baseUrl);

    const ids: string[] = [];
    let cursor: string | null = null;
    for (;;) {
      const page = await client.fetchTicketPage(cursor);
      ids.push(...page.tickets.map((ticket) => (ticket as { id: string }).id));
      if (!page.hasMore) break;
      cursor = page.nextCursor;
    }

    expect(ids).toEqual(['a1', 'a2', 'b1', 'b2', 'c1']);
    expect(requests.map((request) => request.url.searchParams.get('limit'))).toEqual(['100', '100', '100']);
    expect(requests.map((request) => request.url.searchParams.get('startAfter'))).toEqual([null, 'a2', 'b2']);
    expect(requests[0]!.url.pathname).toBe('/api/v1/organisations/org_test/tickets');
    expect(client.stats.requests).toBe(3);
  });

  it('returns null nextCursor when absent', async () => {
    const { baseUrl } = await startServer((_request, response) =>
      sendJson(response, 200, { success: true, data: { tickets: [], pagination: { hasMore: false } } }),
    );

    const page = await makeClient(baseUrl).fetchTicketPage(null);

    expect(page.nextCursor).toBeNull();
    expect(page.hasMore).toBe(false);
  });

  it('URL-encodes the organisation ID', async () => {
    const { baseUrl, requests } = await startServer(okPage);

    await makeClient(`${baseUrl}/`, { orgId: 'org/ü 1?x' }).fetchTicketPage('cur sor&1');

    expect(requests[0]!.rawUrl).toBe('/api/v1/organisations/org%2F%C3%BC%201%3Fx/tickets?limit=100&startAfter=cur+sor%261');
  });

  it('sends the key only in X-API-Key', async () => {
    const { baseUrl, requests } = await startServer(okPage);

    await makeClient(baseUrl).fetchTicketPage(null);

    expect(requests[0]!.headers['x-api-key']).toBe(API_KEY);
    expect(requests[0]!.rawUrl).not.toContain(API_KEY);
  });
});

describe('ServicebayClient errors that stop at once', () => {
  const cases = [
    { status: 401, kind: 'auth', text: 'Servicebay rejected the API key (HTTP 401). Check SERVICEBAY_API_KEY.' },
    {
      status: 403,
      kind: 'forbidden',
      text: 'The API key has no access to organisation "org_test" (HTTP 403). The key belongs to another organisation: check SERVICEBAY_ORG_ID and SERVICEBAY_API_KEY.',
    },
    { status: 404, kind: 'not_found', text: 'Organisation "org_test" was not found (HTTP 404). Check SERVICEBAY_ORG_ID.' },
    { status: 400, kind: 'bad_request', text: 'limit="100", startAfter="bad cursor"' },
    { status: 418, kind: 'client_error', text: 'HTTP 418' },
  ] as const;

  for (const { status, kind, text } of cases) {
    it(`stops on HTTP ${status}`, async () => {
      const { baseUrl, requests } = await startServer((_request, response) =>
        sendJson(response, status, { success: false, error: `server says ${status}` }),
      );
      const client = makeClient(baseUrl);

      const error = await captureError(client.fetchTicketPage('bad cursor'));

      expect(error.kind).toBe(kind);
      expect(error.status).toBe(status);
      expect(error.retryable).toBe(false);
      expect(error.message).toContain(text);
      expect(error.message).toContain(`server says ${status}`);
      expect(error.apiMessage).toBe(`server says ${status}`);
      expect(requests).toHaveLength(1);
      expect(client.stats.retries).toBe(0);
    });
  }

  it('rejects JSON without the envelope', async () => {
    const { baseUrl, requests } = await startServer((_request, response) =>
      sendJson(response, 200, { success: true, data: { tickets: [], pagination: {} } }),
    );

    const error = await captureError(makeClient(baseUrl).fetchTicketPage(null));

    expect(error.kind).toBe('invalid_response');
    expect(error.message).toContain('data.pagination.hasMore');
    expect(error.message).toContain('HTTP 200');
    expect(requests).toHaveLength(1);
  });

  it('rejects JSON that is not an object', async () => {
    const { baseUrl } = await startServer((_request, response) => sendJson(response, 200, 'hello'));

    const error = await captureError(makeClient(baseUrl).fetchTicketPage(null));

    expect(error.kind).toBe('invalid_response');
    expect(error.message).toContain('(body)');
  });

  it('rejects an HTML page on 200', async () => {
    const { baseUrl, requests } = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html><body>Login</body></html>');
    });

    const error = await captureError(makeClient(baseUrl).fetchTicketPage(null));

    expect(error.kind).toBe('invalid_response');
    expect(error.message).toContain('not JSON');
    expect(error.message).toContain('<html>');
    expect(requests).toHaveLength(1);
  });

  it('stops on a port fetch blocks', async () => {
    const retries: RetryEvent[] = [];

    const error = await captureError(makeClient('http://127.0.0.1:1/api/v1', { onRetry: (event) => retries.push(event) }).fetchTicketPage(null));

    expect(error.kind).toBe('invalid_request');
    expect(error.message).toContain('SERVICEBAY_BASE_URL');
    expect(retries).toHaveLength(0);
  });

  it('does not follow redirects', async () => {
    const elsewhere = await startServer(okPage);
    const { baseUrl } = await startServer((_request, response) => {
      response.writeHead(302, { location: `${elsewhere.baseUrl}/organisations/org_test/tickets` });
      response.end();
    });

    const error = await captureError(makeClient(baseUrl).fetchTicketPage(null));

    expect(error.kind).toBe('redirect');
    expect(error.message).toContain(`http://127.0.0.1:${elsewhere.port}/api/v1`);
    expect(elsewhere.requests).toHaveLength(0);
  });
});

describe('ServicebayClient retries', () => {
  const failures: Array<{ name: string; fail: (response: ServerResponse) => void; status: number }> = [
    { name: '500 JSON', status: 500, fail: (response) => sendJson(response, 500, { success: false, error: 'boom' }) },
    {
      name: '502 HTML',
      status: 502,
      fail: (response) => {
        response.writeHead(502, { 'content-type': 'text/html' });
        response.end('<html><h1>502 Bad Gateway</h1></html>');
      },
    },
    { name: '503 empty', status: 503, fail: (response) => response.writeHead(503).end() },
    { name: '504 text', status: 504, fail: (response) => response.writeHead(504).end('Gateway Timeout') },
  ];

  for (const { name, fail, status } of failures) {
    it(`retries ${name} then succeeds`, async () => {
      const { baseUrl, requests } = await startServer((_request, response, index) =>
        index < 2 ? fail(response) : sendOkPage(response),
      );
      const retries: RetryEvent[] = [];
      const client = makeClient(baseUrl, { onRetry: (event) => retries.push(event) });

      const page = await client.fetchTicketPage(null);

      expect(page.tickets).toEqual([{ id: 'a1' }]);
      expect(requests).toHaveLength(3);
      expect(client.stats.retries).toBe(2);
      expect(retries.map((event) => event.status)).toEqual([status, status]);
      expect(retries.map((event) => event.attempt)).toEqual([2, 3]);
      expect(retries[0]!.reason).toBe('server_error');
    });
  }

  it('retries a request timeout', async () => {
    const { baseUrl, requests } = await startServer((_request, response, index) => {
      if (index > 0) sendOkPage(response);
      // The first request never gets a response.
    });
    const retries: RetryEvent[] = [];
    const client = makeClient(baseUrl, { requestTimeoutMs: 150, onRetry: (event) => retries.push(event) });

    const page = await client.fetchTicketPage(null);

    expect(page.hasMore).toBe(false);
    expect(requests).toHaveLength(2);
    expect(retries[0]!.reason).toBe('timeout');
    expect(retries[0]!.status).toBeNull();
  });

  it('retries truncated JSON', async () => {
    const { baseUrl, requests } = await startServer((_request, response, index) => {
      if (index > 0) return sendOkPage(response);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"success":true,"data":{"tickets":[{"id":"a');
    });
    const retries: RetryEvent[] = [];
    const client = makeClient(baseUrl, { onRetry: (event) => retries.push(event) });

    const page = await client.fetchTicketPage(null);

    expect(page.tickets).toHaveLength(1);
    expect(requests).toHaveLength(2);
    expect(retries[0]!.reason).toBe('truncated_response');
  });

  it('retries a connection reset', async () => {
    const { baseUrl, requests } = await startServer((request, response, index) => {
      if (index > 0) return sendOkPage(response);
      request.socket.destroy();
    });
    const retries: RetryEvent[] = [];

    const page = await makeClient(baseUrl, { onRetry: (event) => retries.push(event) }).fetchTicketPage(null);

    expect(page.tickets).toHaveLength(1);
    expect(requests).toHaveLength(2);
    expect(retries[0]!.reason).toBe('network');
  });

  it('retries a refused connection until up', async () => {
    const port = await closedPort();
    const retries: RetryEvent[] = [];
    const client = makeClient(`http://127.0.0.1:${port}/api/v1`, { onRetry: (event) => retries.push(event) });
    setTimeout(() => void startServer(okPage, port), 150);

    const page = await client.fetchTicketPage(null);

    expect(page.tickets).toHaveLength(1);
    expect(retries.length).toBeGreaterThan(0);
    expect(retries[0]!.reason).toBe('network');
  });

  it('gives up on a refused connection', async () => {
    const port = await closedPort();
    const client = makeClient(`http://127.0.0.1:${port}/api/v1`, { maxRetrySeconds: 0.3 });
    const startedAt = performance.now();

    const error = await captureError(client.fetchTicketPage(null));

    const elapsedMs = performance.now() - startedAt;
    expect(error.kind).toBe('retry_budget_exhausted');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('kept failing');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('next run resumes');
    expect((error.cause as ServicebayApiError).kind).toBe('network');
    expect(client.stats.retries).toBeGreaterThan(1);
    expect(elapsedMs).toBeGreaterThanOrEqual(250);
    expect(elapsedMs).toBeLessThan(1500);
  });

  it('respects the retry budget', async () => {
    const { baseUrl, requests } = await startServer((_request, response) => response.writeHead(503).end());
    const client = makeClient(baseUrl, { maxRetrySeconds: 0.5, minBackoffMs: 50, maxBackoffMs: 100 });
    const startedAt = performance.now();

    const error = await captureError(client.fetchTicketPage(null));

    const elapsedMs = performance.now() - startedAt;
    expect(error.kind).toBe('retry_budget_exhausted');
    expect(error.status).toBe(503);
    expect(error.message).toContain('HTTP 503');
    expect(elapsedMs).toBeGreaterThanOrEqual(450);
    expect(elapsedMs).toBeLessThan(1500);
    expect(requests.length).toBeGreaterThan(2);
  });

  it('stops retrying when aborted', async () => {
    const { baseUrl } = await startServer((_request, response) => response.writeHead(503).end());
    const controller = new AbortController();
    const client = makeClient(baseUrl, { signal: controller.signal, minBackoffMs: 2000, maxBackoffMs: 2000 });
    setTimeout(() => controller.abort(new Error('SIGTERM received')), 100);
    const startedAt = performance.now();

    const error = await captureError(client.fetchTicketPage(null));

    expect(error.kind).toBe('aborted');
    expect(error.message).toContain('SIGTERM received');
    expect(performance.now() - startedAt).toBeLessThan(1000);
  });

  it('logs each retry at warn', async () => {
    const { baseUrl } = await startServer((_request, response, index) =>
      index === 0 ? response.writeHead(503).end() : sendOkPage(response),
    );
    const capture = captureLogger();

    await makeClient(baseUrl, { logger: capture.logger }).fetchTicketPage(null);

    const retryLogs = capture.records().filter((record) => record.msg === 'retrying Servicebay request');
    expect(retryLogs).toHaveLength(1);
    expect(retryLogs[0]!.level).toBe(40);
    expect(retryLogs[0]!.attempt).toBe(2);
    expect(retryLogs[0]!.status).toBe(503);
    expect(retryLogs[0]!.reason).toBe('server_error');
    expect(typeof retryLogs[0]!.waitMs).toBe('number');
  });
});

describe('ServicebayClient rate limiting', () => {
  it('waits until X-RateLimit-Reset on 429', async () => {
    let resetAtMs = 0;
    const { baseUrl, requests } = await startServer((_request, response, index) => {
      if (index > 0) return sendOkPage(response);
      // The next whole second at least 300 ms ahead, because the header has second resolution.
      resetAtMs = Math.ceil((Date.now() + 300) / 1000) * 1000;
      sendJson(response, 429, { success: false, error: 'Too many requests' }, {
        'x-ratelimit-limit': '100',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(resetAtMs / 1000),
      });
    });
    const capture = captureLogger();
    const client = makeClient(baseUrl, { logger: capture.logger });

    await client.fetchTicketPage(null);

    expect(requests).toHaveLength(2);
    const retriedAtMs = requests[1]!.receivedAtMs;
    const waitLog = capture.records().find((record) => record.msg === 'waiting for Servicebay rate limit reset');
    expect(waitLog?.waitMs).toBeGreaterThan(0);
    expect(retriedAtMs).toBeGreaterThanOrEqual(resetAtMs - 20);
    expect(retriedAtMs).toBeLessThan(resetAtMs + 250 + 300);
    expect(client.stats.rateLimited).toBe(1);
    expect(client.stats.retries).toBe(1);
  });

  const unusableResets: Array<{ name: string; headers: Record<string, string> }> = [
    { name: 'missing', headers: {} },
    { name: 'not numeric', headers: { 'x-ratelimit-reset': 'soon' } },
    { name: 'past', headers: { 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) - 60) } },
    { name: 'an hour ahead', headers: { 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) } },
  ];

  for (const { name, headers } of unusableResets) {
    it(`backs off on 429 with ${name} reset`, async () => {
      const { baseUrl, requests } = await startServer((_request, response, index) =>
        index === 0 ? sendJson(response, 429, { success: false, error: 'slow down' }, headers) : sendOkPage(response),
      );
      const retries: RetryEvent[] = [];
      const client = makeClient(baseUrl, { onRetry: (event) => retries.push(event) });
      const startedAt = performance.now();

      await client.fetchTicketPage(null);

      expect(requests).toHaveLength(2);
      expect(retries[0]!.reason).toBe('rate_limited');
      expect(retries[0]!.status).toBe(429);
      expect(performance.now() - startedAt).toBeLessThan(400);
    });
  }

  it('fails at once when the reset exceeds the budget', async () => {
    const { baseUrl, requests } = await startServer((_request, response) =>
      sendJson(response, 429, { success: false, error: 'slow down' }, {
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 5),
      }),
    );
    const client = makeClient(baseUrl, { maxRetrySeconds: 1 });
    const startedAt = performance.now();

    const error = await captureError(client.fetchTicketPage(null));

    expect(error.kind).toBe('retry_budget_exhausted');
    expect(error.status).toBe(429);
    expect(requests).toHaveLength(1);
    expect(performance.now() - startedAt).toBeLessThan(500);
  });

  it('reports each response', async () => {
    const { baseUrl } = await startServer((_request, response, index) =>
      index === 0
        ? response.writeHead(503, { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '99' }).end()
        : sendJson(response, 200, listBody(['a'], false), { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '98' }),
    );
    const events: ResponseEvent[] = [];

    await makeClient(baseUrl, { onResponse: (event) => events.push(event) }).fetchTicketPage(null);

    expect(events.map((event) => event.status)).toEqual([503, 200]);
    expect(events.map((event) => event.rateLimitRemaining)).toEqual([99, 98]);
    expect(events.map((event) => event.rateLimitLimit)).toEqual([100, 100]);
    expect(events.every((event) => event.durationMs >= 0)).toBe(true);
  });

  it('records rate-limit headers in stats', async () => {
    const { baseUrl } = await startServer((_request, response) =>
      sendJson(response, 200, listBody(['a'], false), {
        'x-ratelimit-limit': '100',
        'x-ratelimit-remaining': '57',
        'x-ratelimit-reset': '1900000000',
      }),
    );
    const client = makeClient(baseUrl);

    await client.fetchTicketPage(null);

    expect(client.stats.rateLimitLimit).toBe(100);
    expect(client.stats.rateLimitRemaining).toBe(57);
    expect(client.stats.rateLimitResetAt).toBe(1_900_000_000_000);
  });
});

describe('ServicebayClient secrecy', () => {
  it('keeps the key out of errors and logs', async () => {
    // The server echoes the key, as a careless API might in its error message.
    const { baseUrl } = await startServer((_request, response, index) =>
      index === 0
        ? sendJson(response, 503, { success: false, error: `overloaded while serving ${API_KEY}` })
        : sendJson(response, 401, { success: false, error: `Invalid API key ${API_KEY}` }),
    );
    const capture = captureLogger();
    const client = makeClient(baseUrl, { logger: capture.logger });

    const error = await captureError(client.fetchTicketPage(null));

    expect(error.kind).toBe('auth');
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain(API_KEY);
    expect(inspect(error, { depth: 10 })).not.toContain(API_KEY);
    expect(JSON.stringify(error)).not.toContain(API_KEY);
    expect(capture.lines()).toContain('retrying Servicebay request');
    expect(capture.lines()).not.toContain(API_KEY);
    expect(JSON.stringify(client.stats)).not.toContain(API_KEY);
    expect(inspect(client, { depth: 10 })).not.toContain(API_KEY);
  });

  it('keeps the key out of network errors', async () => {
    const port = await closedPort();
    const capture = captureLogger();
    const client = makeClient(`http://127.0.0.1:${port}/api/v1`, { logger: capture.logger, maxRetrySeconds: 0.1 });

    const error = await captureError(client.fetchTicketPage(null));
    capture.logger.error({ err: error }, 'sync run failed');

    expect(error.kind).toBe('retry_budget_exhausted');
    expect(inspect(error, { depth: 10 })).not.toContain(API_KEY);
    expect(capture.lines()).toContain('ECONNREFUSED');
    expect(capture.lines()).not.toContain(API_KEY);
  });
});

describe('ServicebayClient options', () => {
  it('rejects a base URL with credentials', () => {
    expect(() => makeClient('http://user:secret@127.0.0.1:1/api/v1')).toThrow(/must not contain a user name/);
  });

  it('rejects a key with a line break', () => {
    const key = `${API_KEY}\n`;

    let message = '';
    try {
      makeClient('http://127.0.0.1:1/api/v1', { apiKey: key });
    } catch (error) {
      message = (error as Error).message;
    }

    expect(message).toContain('SERVICEBAY_API_KEY');
    expect(message).not.toContain(API_KEY);
  });

  it('rejects an invalid page size', () => {
    expect(() => makeClient('http://127.0.0.1:1/api/v1', { pageSize: 101 })).toThrow(/pageSize must be an integer from 1 to 100/);
  });

  it('sends a smaller page size', async () => {
    const { baseUrl, requests } = await startServer(okPage);

    await makeClient(baseUrl, { pageSize: 7 }).fetchTicketPage(null);

    expect(requests[0]!.url.searchParams.get('limit')).toBe('7');
  });
});

describe('isLoopbackHost', () => {
  const loopbackHosts = ['localhost', 'LOCALHOST', 'localhost.', '127.0.0.1', '127.255.0.9', '[::1]', '::1', '[0:0:0:0:0:0:0:1]', '[::ffff:7f00:1]'];
  const otherHosts = ['example.com', 'localhost.example.com', 'api.localhost', '128.0.0.1', '10.0.0.1', '0.0.0.0', '[::2]', '[::]', '127.0.0.1.nip.io'];

  for (const host of loopbackHosts) {
    it(`accepts ${host}`, () => {
      expect(isLoopbackHost(host)).toBe(true);
    });
  }

  for (const host of otherHosts) {
    it(`rejects ${host}`, () => {
      expect(isLoopbackHost(host)).toBe(false);
    });
  }
});
