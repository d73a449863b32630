import type pg from "pg";

import type { RunCounters } from "../db/runs.js";
import { payloadHash } from "../db/payload-hash.js";
import { commitTicketPage, findTicketsToWrite, type HashedTicket } from "../db/tickets.js";
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
 * Writes the pages of one run in order. Each page is one transaction: the tickets, their
 * versions, the page's ID list and the run's checkpoint. A crash before the commit leaves none
 * of it, and a crash after it leaves all of it. The counters are updated only once the commit succeeded.
 *
 * Before a page is written, one read-only query compares the page's IDs and payload hashes with
 * the stored ones, and only the tickets that differ are sent with their content. A page of
 * unchanged tickets is then cheap for PostgreSQL. When every ticket of the previous page was
 * new, as in a first sync, that query is skipped and the whole page is sent, because it would
 * most likely find every ticket new again. The page statement compares the hashes itself, so
 * an unchanged ticket sent along is still not written.
 */
export class PageWriter {
  readonly #client: pg.ClientBase;
  #previousPageAllNew = false;

  constructor(client: pg.ClientBase) {
    this.#client = client;
  }

  async commit(page: PageToCommit, counters: RunCounters): Promise<RunCounters> {
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

    const hashed: HashedTicket[] = tickets.map((ticket) => ({ ticket, payloadHash: payloadHash(ticket.raw) }));
    const toWrite = await this.#selectTicketsToWrite(page.orgId, hashed);

    // One statement is one transaction, so no BEGIN and COMMIT round trips are needed.
    const written = await commitTicketPage(this.#client, {
      orgId: page.orgId,
      runId: page.runId,
      ids: tickets.map((ticket) => ticket.id),
      tickets: toWrite,
      checkpoint: {
        page: page.page,
        cursorBefore: page.cursorBefore,
        cursorAfter: page.cursorAfter,
        scanComplete: page.scanComplete,
        counters: next,
      },
    });
    this.#previousPageAllNew = tickets.length > 0 && written.inserted === tickets.length;

    next.inserted += written.inserted;
    next.updated += written.updated;
    next.unchanged += written.unchanged;
    next.undeleted += written.undeleted;
    return next;
  }

  async #selectTicketsToWrite(orgId: string, hashed: HashedTicket[]): Promise<HashedTicket[]> {
    if (this.#previousPageAllNew || hashed.length === 0) return hashed;
    const positions = await findTicketsToWrite(this.#client, orgId, hashed);
    return positions.map((position) => hashed[position]!);
  }
}
