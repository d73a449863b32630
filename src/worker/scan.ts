import { setImmediate } from "node:timers/promises";

import type pg from "pg";

import type { RunCounters, SyncRunRow } from "../db/runs.js";
import type { Logger } from "../logger.js";
import type { ServicebayClient } from "../servicebay/client.js";
import { parseTicketPage } from "../servicebay/parse.js";
import type { TicketListPage } from "../servicebay/types.js";
import { nextCursorAfter } from "./cursor.js";
import { RunInterruptedError } from "./errors.js";
import { PageWriter } from "./page-commit.js";

export interface PageProgress {
  runId: number;
  page: number;
  counters: RunCounters;
  rateLimitRemaining: number | null;
}

export interface ScanOptions {
  client: pg.ClientBase;
  api: ServicebayClient;
  run: SyncRunRow;
  logger: Logger;
  signal?: AbortSignal;
  onPage?: (progress: PageProgress) => void;
  /** Called after each commit, so the caller has the latest committed counters. */
  onCommitted: (counters: RunCounters) => void;
}

/**
 * Reads every page from the run's checkpoint to the end of the list and commits each one.
 * The next page is requested while the current one is written, so database time hides behind
 * network time; at most two pages are in memory. Commits stay strictly in list order.
 */
export async function scanAllPages(options: ScanOptions): Promise<RunCounters> {
  const { client, api, run, logger } = options;
  const base = run.counters;
  let counters = run.counters;
  if (run.scanComplete) return counters;

  let cursor = run.cursor;
  let pageNumber = run.counters.pages + 1;
  const writer = new PageWriter(client);
  let pending: Promise<TicketListPage> | null = fetchAhead(api, cursor);
  // Where the scan's time goes: waiting for pages the network has not delivered yet, or writing.
  const timing = { startedAt: performance.now(), fetchWaitMs: 0, writeMs: 0 };

  while (pending) {
    const waitStartedAt = performance.now();
    const page = await pending;
    timing.fetchWaitMs += performance.now() - waitStartedAt;
    pending = null;

    const cursorAfter = nextCursorAfter(page, cursor, pageNumber);
    if (page.hasMore && !options.signal?.aborted) {
      pending = fetchAhead(api, cursorAfter);
      // The client sends the request in a promise continuation, so it would wait for this
      // page's parsing and hashing. Yielding first lets it leave now.
      await setImmediate();
    }

    const parsed = parseTicketPage(page.tickets);
    for (const position of parsed.skippedPositions) {
      logger.warn({ page: pageNumber, cursor, position }, "skipped a listed ticket without a string id");
    }

    const writeStartedAt = performance.now();
    counters = await writer.commit(
      {
        runId: run.id, orgId: run.orgId, page: pageNumber, cursorBefore: cursor, cursorAfter,
        scanComplete: !page.hasMore, tickets: parsed.tickets, listed: page.tickets.length, issues: parsed.counts,
      },
      withRequestStats(counters, base, api),
    );
    timing.writeMs += performance.now() - writeStartedAt;
    options.onCommitted(counters);
    logger.debug({ page: pageNumber, cursor: cursorAfter, tickets: page.tickets.length }, "page committed");
    options.onPage?.({ runId: run.id, page: pageNumber, counters, rateLimitRemaining: api.stats.rateLimitRemaining });

    cursor = cursorAfter;
    pageNumber += 1;
    // A stop request ends the run at a page boundary; the page fetched ahead is dropped.
    if (page.hasMore && options.signal?.aborted) throw new RunInterruptedError();
  }

  logger.info(
    {
      pages: pageNumber - (run.counters.pages + 1),
      scanMs: Math.round(performance.now() - timing.startedAt),
      fetchWaitMs: Math.round(timing.fetchWaitMs),
      writeMs: Math.round(timing.writeMs),
    },
    "scan finished",
  );
  return counters;
}

/** Starts a page request whose failure is observed later, when the loop awaits it. */
function fetchAhead(api: ServicebayClient, cursor: string | null): Promise<TicketListPage> {
  const request = api.fetchTicketPage(cursor);
  // A rejection while the previous page is still being written must not count as unhandled.
  request.catch(() => undefined);
  return request;
}

/** Adds this process's request statistics to the counters a resumed run started with. */
function withRequestStats(counters: RunCounters, base: RunCounters, api: ServicebayClient): RunCounters {
  return {
    ...counters,
    requests: base.requests + api.stats.requests,
    retries: base.retries + api.stats.retries,
    rateLimited: base.rateLimited + api.stats.rateLimited,
  };
}
