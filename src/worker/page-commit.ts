import type pg from "pg";

import type { RunCounters } from "../db/runs.js";
import { payloadHash } from "../db/payload-hash.js";
import { commitTicketPage, commitUnchangedPage, type HashedTicket } from "../db/tickets.js";
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
 * of it, and a crash after it leaves all of it. The counters are updated only once the commit
 * succeeded.
 *
 * A page first goes to PostgreSQL as IDs and payload hashes only. If no ticket differs from the
 * stored one, that statement commits the page, so a page of unchanged tickets costs one round
 * trip and no JSON parsing. Otherwise a second statement sends the differing tickets with their
 * content and commits the page. When every ticket of the previous page was new, as in a first
 * sync, the first statement is skipped and the whole page is sent at once, because it would most
 * likely find every ticket new again. The page statement compares the hashes itself, so an
 * unchanged ticket sent along is still not written.
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
    const checkpoint = {
      page: page.page,
      cursorBefore: page.cursorBefore,
      cursorAfter: page.cursorAfter,
      scanComplete: page.scanComplete,
    };

    let toWrite = hashed;
    if (!this.#previousPageAllNew && hashed.length > 0) {
      const unchanged = { ...next, unchanged: next.unchanged + hashed.length };
      const positions = await commitUnchangedPage(this.#client, {
        orgId: page.orgId, runId: page.runId, tickets: hashed, checkpoint: { ...checkpoint, counters: unchanged },
      });
      if (positions.length === 0) {
        this.#previousPageAllNew = false;
        return unchanged;
      }
      toWrite = positions.map((position) => hashed[position]!);
    }

    // One statement is one transaction, so no BEGIN and COMMIT round trips are needed.
    const written = await commitTicketPage(this.#client, {
      orgId: page.orgId,
      runId: page.runId,
      ids: tickets.map((ticket) => ticket.id),
      tickets: toWrite,
      checkpoint: { ...checkpoint, counters: next },
    });
    this.#previousPageAllNew = tickets.length > 0 && written.inserted === tickets.length;

    next.inserted += written.inserted;
    next.updated += written.updated;
    next.unchanged += written.unchanged;
    next.undeleted += written.undeleted;
    return next;
  }
}
