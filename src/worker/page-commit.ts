import type pg from "pg";

import type { RunCounters } from "../db/runs.js";
import { commitTicketPage } from "../db/tickets.js";
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
 * run's checkpoint. A crash before the commit leaves none of it; after it, all of it. The
 * counters are updated only once the commit succeeded.
 */
export async function commitPage(client: pg.ClientBase, page: PageToCommit, counters: RunCounters): Promise<RunCounters> {
  const tickets = dropDuplicateIds(page.tickets);
  const next: RunCounters = { ...counters };
  next.pages += 1;
  next.ticketsSeen += page.listed;
  next.duplicates += page.tickets.length - tickets.length;
  next.skipped += page.issues.skipped;
  next.repairedStrings += page.issues.repairedStrings;
  next.unparseableDates += page.issues.unparseableDates;
  next.coercedValues += page.issues.coercedValues;
  next.invalidValues += page.issues.invalidValues;

  // One statement is one transaction, so no BEGIN and COMMIT round trips are needed.
  const written = await commitTicketPage(client, {
    orgId: page.orgId,
    runId: page.runId,
    tickets,
    checkpoint: {
      page: page.page,
      cursorBefore: page.cursorBefore,
      cursorAfter: page.cursorAfter,
      scanComplete: page.scanComplete,
      counters: next,
    },
  });

  next.inserted += written.inserted;
  next.updated += written.updated;
  next.unchanged += written.unchanged;
  next.undeleted += written.undeleted;
  return next;
}
