import type pg from "pg";

import type { RunCounters } from "../db/runs.js";
import { savePageCheckpoint } from "../db/runs.js";
import { upsertTicketPage } from "../db/tickets.js";
import type { ParsedTicket, PayloadIssueCounts } from "../servicebay/types.js";

export interface PageToCommit {
  runId: number;
  orgId: string;
  page: number;
  cursorBefore: string | null;
  cursorAfter: string | null;
  scanComplete: boolean;
  /** Parsed tickets of the page, in list order; may repeat an ID. */
  tickets: ParsedTicket[];
  listed: number;
  issues: PayloadIssueCounts;
}

/**
 * Keeps the last occurrence of each ID. One INSERT ... ON CONFLICT cannot touch a row twice,
 * and the later occurrence is the later state the API sent.
 */
export function dropDuplicateIds(tickets: ParsedTicket[]): ParsedTicket[] {
  const byId = new Map<string, ParsedTicket>();
  for (const ticket of tickets) {
    byId.delete(ticket.id);
    byId.set(ticket.id, ticket);
  }
  return byId.size === tickets.length ? tickets : [...byId.values()];
}

/**
 * Writes one page in one transaction: the tickets, their versions, the page's ID list and the
 * run's checkpoint. A crash before COMMIT leaves none of it; after COMMIT, all of it. The
 * counters are updated only once the commit succeeded.
 */
export async function commitPage(client: pg.ClientBase, page: PageToCommit, counters: RunCounters): Promise<RunCounters> {
  const tickets = dropDuplicateIds(page.tickets);
  const next: RunCounters = { ...counters };

  await client.query("BEGIN");
  try {
    const written = await upsertTicketPage(client, page.orgId, page.runId, tickets);

    next.pages += 1;
    next.ticketsSeen += page.listed;
    next.inserted += written.inserted;
    next.updated += written.updated;
    next.unchanged += written.unchanged;
    next.undeleted += written.undeleted;
    next.duplicates += page.tickets.length - tickets.length;
    next.skipped += page.issues.skipped;
    next.repairedStrings += page.issues.repairedStrings;
    next.unparseableDates += page.issues.unparseableDates;
    next.coercedValues += page.issues.coercedValues;
    next.invalidValues += page.issues.invalidValues;

    await savePageCheckpoint(client, page.runId, {
      page: page.page,
      cursorBefore: page.cursorBefore,
      cursorAfter: page.cursorAfter,
      ticketIds: tickets.map((ticket) => ticket.id),
      scanComplete: page.scanComplete,
      counters: next,
    });
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
  return next;
}
