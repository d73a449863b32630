import type { TicketListPage } from "../servicebay/types.js";
import { SuspiciousScanError } from "./errors.js";

/** Compares two IDs byte by byte in UTF-8, the order of the API's list and of COLLATE "C". */
export function compareIds(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/**
 * Checks that a page moves the scan forward and returns the cursor after it. A page that would
 * make the scan loop, skip ahead blindly or end early fails the run, because a scan that cannot
 * be trusted must never lead to deletions.
 */
export function nextCursorAfter(page: TicketListPage, cursorBefore: string | null, pageNumber: number): string | null {
  if (page.hasMore && page.tickets.length === 0) {
    throw new SuspiciousScanError(
      `Page ${pageNumber} (after cursor ${JSON.stringify(cursorBefore)}) is empty but claims more pages (hasMore: true); the scan stopped without deleting anything.`,
    );
  }
  if (page.hasMore && !page.nextCursor) {
    throw new SuspiciousScanError(
      `Page ${pageNumber} (after cursor ${JSON.stringify(cursorBefore)}) claims more pages but has no nextCursor; the scan stopped without deleting anything.`,
    );
  }

  // The cursor is the ID of the page's last item. One beyond every listed ID would skip the
  // tickets in between, and those would then look deleted.
  const highestId = highestListedId(page.tickets);
  if (page.hasMore && page.nextCursor && highestId !== null && compareIds(page.nextCursor, highestId) > 0) {
    throw new SuspiciousScanError(
      `Page ${pageNumber} returned cursor ${JSON.stringify(page.nextCursor)}, beyond its last listed ID ${JSON.stringify(highestId)}, so tickets in between would be skipped; the scan stopped without deleting anything.`,
    );
  }

  const cursorAfter = page.nextCursor ?? cursorBefore;
  if (page.nextCursor && cursorBefore !== null && compareIds(page.nextCursor, cursorBefore) <= 0) {
    throw new SuspiciousScanError(
      `Page ${pageNumber} returned cursor ${JSON.stringify(page.nextCursor)}, which does not move past the previous cursor ${JSON.stringify(cursorBefore)}; the scan stopped without deleting anything.`,
    );
  }
  return cursorAfter;
}

/** Returns the highest string `id` of the page in byte order, or null when no item has one. */
function highestListedId(tickets: unknown[]): string | null {
  let highest: string | null = null;
  for (const ticket of tickets) {
    const id = typeof ticket === "object" && ticket !== null ? (ticket as { id?: unknown }).id : undefined;
    if (typeof id === "string" && (highest === null || compareIds(id, highest) > 0)) highest = id;
  }
  return highest;
}
