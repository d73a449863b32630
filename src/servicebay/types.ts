/** One list page exactly as the API returned it, after the envelope was checked. */
export interface TicketListPage {
  /** Ticket objects as received. The worker parses them one by one, so a record without an `id` is skipped, not the page. */
  tickets: unknown[];
  hasMore: boolean;
  /** The cursor for the next page, or null when the API sent none. */
  nextCursor: string | null;
}

/** A ticket parsed into the typed columns of `servicebay.tickets`. */
export interface ParsedTicket {
  id: string;
  ticketNumber: number | null;
  status: string | null;
  /** ISO 8601 instants in UTC, or null when the field is missing or could not be parsed. */
  createdAt: string | null;
  closedAt: string | null;
  customerId: string | null;
  customerName: string | null;
  customerEmail: string | null;
  customerPhone: string | null;
  customerDeviceName: string | null;
  customerDeviceType: string | null;
  deviceId: string | null;
  assignedTechnician: string | null;
  serviceRequired: string | null;
  serviceNotes: string | null;
  serviceTime: string | null;
  endTime: string | null;
  serviceAddress: string | null;
  serviceLocation: string | null;
  warrantyRepair: boolean | null;
  alternativeCustomerAddress: boolean | null;
  additionalItems: unknown;
  messageRooms: unknown;
  /** The whole payload as received, with strings PostgreSQL rejects repaired. */
  raw: Record<string, unknown>;
}

/** Counts of what parsing had to work around, summed per page and per run. */
export interface PayloadIssueCounts {
  /** Tickets dropped because they had no string `id`. */
  skipped: number;
  /** Strings in which U+0000 or unpaired UTF-16 surrogates were replaced. */
  repairedStrings: number;
  /** Date-time fields whose value could not be read as an instant (typed column left null). */
  unparseableDates: number;
  /** Values of the wrong type converted to the documented type, such as "42" to 42. */
  coercedValues: number;
  /** Values of the wrong type that could not be converted (typed column left null, `raw` keeps it). */
  invalidValues: number;
}

export function emptyPayloadIssueCounts(): PayloadIssueCounts {
  return { skipped: 0, repairedStrings: 0, unparseableDates: 0, coercedValues: 0, invalidValues: 0 };
}
