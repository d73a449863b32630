import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';

import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';

import { ServicebayClient } from '../src/servicebay/client.js';
import {
  computePacingWaitMs,
  MAX_RESET_AHEAD_MS,
  readRateLimitHeaders,
  RESET_JITTER_MS,
  usableResetDelayMs,
} from '../src/servicebay/pacing.js';
import type { RateLimitState } from '../src/servicebay/pacing.js';

const NOW = 1_700_000_000_000;
const noJitter = (): number => 0;
const maxJitter = (): number => 0.999999;

function state(remaining: number | null, resetInMs: number | null, limit: number | null = 100): RateLimitState {
  return { limit, remaining, resetAtMs: resetInMs === null ? null : NOW + resetInMs };
}

describe('computePacingWaitMs', () => {
  it('does not wait while plenty remain', () => {
    expect(computePacingWaitMs(state(50, 30_000), NOW, noJitter)).toBe(0);
  });

  it('does not wait just above threshold', () => {
    expect(computePacingWaitMs(state(11, 30_000), NOW, noJitter)).toBe(0);
  });

  it('spreads the last requests', () => {
    expect(computePacingWaitMs(state(10, 33_000), NOW, noJitter)).toBe(3000);
  });

  it('waits half the window for one left', () => {
    expect(computePacingWaitMs(state(1, 10_000), NOW, noJitter)).toBe(5000);
  });

  it('waits until reset when none remain', () => {
    expect(computePacingWaitMs(state(0, 12_345), NOW, noJitter)).toBe(12_345);
  });

  it('adds jitter when none remain', () => {
    const waitMs = computePacingWaitMs(state(0, 1000), NOW, maxJitter);

    expect(waitMs).toBeGreaterThan(1000);
    expect(waitMs).toBeLessThan(1000 + RESET_JITTER_MS);
  });

  it('uses threshold 2 for small limits', () => {
    expect(computePacingWaitMs(state(3, 2000, 10), NOW, noJitter)).toBe(0);
    expect(computePacingWaitMs(state(2, 3000, 10), NOW, noJitter)).toBe(1000);
  });

  it('uses threshold 2 without a limit', () => {
    expect(computePacingWaitMs(state(3, 2000, null), NOW, noJitter)).toBe(0);
    expect(computePacingWaitMs(state(2, 3000, null), NOW, noJitter)).toBe(1000);
  });

  it('does not wait without headers', () => {
    expect(computePacingWaitMs(state(null, 10_000), NOW, noJitter)).toBe(0);
    expect(computePacingWaitMs(state(0, null), NOW, noJitter)).toBe(0);
  });

  it('does not wait after the reset', () => {
    expect(computePacingWaitMs(state(0, -1), NOW, noJitter)).toBe(0);
  });

  it('ignores a reset too far ahead', () => {
    expect(computePacingWaitMs(state(0, MAX_RESET_AHEAD_MS + 1), NOW, noJitter)).toBe(0);
  });
});

describe('usableResetDelayMs', () => {
  it('returns the delay when plausible', () => {
    expect(usableResetDelayMs(NOW + 5000, NOW)).toBe(5000);
  });

  it('rejects unknown, past and far resets', () => {
    expect(usableResetDelayMs(null, NOW)).toBeNull();
    expect(usableResetDelayMs(NOW, NOW)).toBeNull();
    expect(usableResetDelayMs(NOW - 1000, NOW)).toBeNull();
    expect(usableResetDelayMs(NOW + MAX_RESET_AHEAD_MS + 1, NOW)).toBeNull();
  });
});

describe('readRateLimitHeaders', () => {
  it('reads the three headers', () => {
    const headers = new Headers({ 'X-RateLimit-Limit': '100', 'X-RateLimit-Remaining': '7', 'X-RateLimit-Reset': '1700000060' });

    expect(readRateLimitHeaders(headers)).toEqual({ limit: 100, remaining: 7, resetAtMs: 1_700_000_060_000 });
  });

  it('treats invalid headers as missing', () => {
    const headers = new Headers({ 'X-RateLimit-Limit': 'many', 'X-RateLimit-Remaining': '-1', 'X-RateLimit-Reset': '' });

    expect(readRateLimitHeaders(headers)).toEqual({ limit: null, remaining: null, resetAtMs: null });
  });
});

describe('ServicebayClient pacing', () => {
  let server: Server | null = null;

  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  it('avoids 429 at a small limit', async () => {
    // A fixed-window limiter of 10 requests per 1-second window aligned to whole seconds, so the
    // reset header is exact, as a per-key limiter like the API's would send it.
    const limit = 10;
    const windowMs = 1000;
    let windowEndMs = 0;
    let used = 0;
    const statuses: number[] = [];
    server = createServer((_request, response) => {
      const now = Date.now();
      if (now >= windowEndMs) {
        windowEndMs = (Math.floor(now / windowMs) + 1) * windowMs;
        used = 0;
      }
      used += 1;
      const status = used > limit ? 429 : 200;
      statuses.push(status);
      response.writeHead(status, {
        'content-type': 'application/json',
        'x-ratelimit-limit': String(limit),
        'x-ratelimit-remaining': String(Math.max(0, limit - used)),
        'x-ratelimit-reset': String(windowEndMs / 1000),
      });
      const body =
        status === 200
          ? { success: true, data: { tickets: [{ id: `t${statuses.length}` }], pagination: { hasMore: true, nextCursor: 'x' } } }
          : { success: false, error: 'Rate limit exceeded' };
      response.end(JSON.stringify(body));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const logLines: string[] = [];
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logLines.push(chunk.toString('utf8'));
        callback();
      },
    });
    const client = new ServicebayClient({
      baseUrl: `http://127.0.0.1:${port}/api/v1`,
      apiKey: 'sk_test_pacing',
      orgId: 'org_pacing',
      logger: pino({ level: 'debug' }, logStream),
      minBackoffMs: 10,
      maxBackoffMs: 50,
    });
    const startedAt = performance.now();

    for (let request = 0; request < 25; request += 1) {
      await client.fetchTicketPage(request === 0 ? null : 'x');
    }

    const elapsedMs = performance.now() - startedAt;
    expect(statuses.filter((status) => status === 429)).toHaveLength(0);
    expect(client.stats.rateLimited).toBe(0);
    expect(client.stats.requests).toBe(25);
    // 25 requests at 10 per window need at least two window resets, and pacing should not
    // add much more than one window on top.
    expect(elapsedMs).toBeGreaterThanOrEqual(1000);
    expect(elapsedMs).toBeLessThan(4000);
    const pacingLogs = logLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((record) => record.msg === 'pacing Servicebay requests to the rate limit');
    expect(pacingLogs.length).toBeGreaterThan(0);
    expect(pacingLogs.every((record) => typeof record.waitMs === 'number')).toBe(true);
  });
});
