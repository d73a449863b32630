import { parseDateTime } from './dates.js';
import { repairJsonStrings } from './sanitize.js';
import { emptyPayloadIssueCounts } from './types.js';
import type { ParsedTicket, PayloadIssueCounts } from './types.js';

/** A list page after parsing: the tickets kept, what parsing worked around, and what it skipped. */
export interface ParsedTicketPage {
  tickets: ParsedTicket[];
  counts: PayloadIssueCounts;
  /** Zero-based positions in the page of the tickets skipped for lack of a string `id`. */
  skippedPositions: number[];
}

/**
 * Parses one ticket payload into its typed columns and adds what it worked around to `counts`.
 *
 * Returns null, and counts the ticket as skipped, when the payload is not an object or its `id`
 * is not a non-empty string. A numeric `id` is skipped rather than converted, because the `id`
 * is also the list cursor, which the API compares as a string. Storing "42" for 42 could
 * make the stored ID and the cursor disagree. The caller logs the skipped position.
 *
 * Every other problem affects one field only: the typed column is null, `raw` keeps the value,
 * and the problem is counted. Strings PostgreSQL rejects are repaired in `raw` too.
 */
export function parseTicket(payload: unknown, counts: PayloadIssueCounts): ParsedTicket | null {
  if (!isPlainObject(payload) || typeof payload.id !== 'string' || payload.id === '') {
    counts.skipped += 1;
    return null;
  }

  const raw = repairJsonStrings(payload, counts) as Record<string, unknown>;
  const read = new FieldReader(raw, counts);

  return {
    id: raw.id as string,
    ticketNumber: read.integer('ticketId'),
    status: read.string('status'),
    createdAt: read.dateTime('timestamp'),
    closedAt: read.dateTime('ticketClosedTimestamp'),
    customerId: read.string('customerId'),
    customerName: read.string('customerName'),
    customerEmail: read.string('customerEmail'),
    customerPhone: read.string('customerPhone'),
    customerDeviceName: read.string('customerDeviceName'),
    customerDeviceType: read.string('customerDeviceType'),
    deviceId: read.string('deviceId'),
    assignedTechnician: read.string('assignedTechnician'),
    serviceRequired: read.string('serviceRequired'),
    serviceNotes: read.string('serviceNotes'),
    serviceTime: read.dateTime('serviceTime'),
    endTime: read.dateTime('endTime'),
    serviceAddress: read.string('serviceAddress'),
    serviceLocation: read.string('serviceLocation'),
    warrantyRepair: read.boolean('warrantyRepair'),
    alternativeCustomerAddress: read.boolean('alternativeCustomerAddress'),
    // Their schema is not documented, so they are stored as given, in any JSON shape.
    additionalItems: raw.additionalItems ?? null,
    messageRooms: raw.messageRooms ?? null,
    raw,
  };
}

/** Parses every ticket of a list page. A bad ticket affects only its own fields, or is skipped. */
export function parseTicketPage(tickets: unknown[]): ParsedTicketPage {
  const counts = emptyPayloadIssueCounts();
  const parsed: ParsedTicket[] = [];
  const skippedPositions: number[] = [];

  tickets.forEach((payload, position) => {
    const ticket = parseTicket(payload, counts);
    if (ticket === null) {
      skippedPositions.push(position);
    } else {
      parsed.push(ticket);
    }
  });
  return { tickets: parsed, counts, skippedPositions };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Reads the typed fields of one payload. A missing or null field is null and not counted.
 * A value of the wrong type is converted when the conversion is unambiguous (`coercedValues`),
 * otherwise it is null (`invalidValues`).
 */
class FieldReader {
  readonly #raw: Record<string, unknown>;
  readonly #counts: PayloadIssueCounts;

  constructor(raw: Record<string, unknown>, counts: PayloadIssueCounts) {
    this.#raw = raw;
    this.#counts = counts;
  }

  /** Reads a string field. A finite number becomes its decimal string; objects, arrays and booleans are invalid. */
  string(field: string): string | null {
    const value = this.#raw[field];
    if (value === undefined || value === null) {
      return null;
    }
    if (typeof value === 'string') {
      return value;
    }
    if (typeof value === 'number' && Number.isFinite(value)) {
      return this.#coerced(String(value));
    }
    return this.#invalid();
  }

  /** Reads an integer field. An integer in a decimal string, such as "42", is converted. */
  integer(field: string): number | null {
    const value = this.#raw[field];
    if (value === undefined || value === null) {
      return null;
    }
    if (typeof value === 'number') {
      return isTicketNumber(value) ? value : this.#invalid();
    }
    if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) {
      const number = Number(value);
      return isTicketNumber(number) ? this.#coerced(number) : this.#invalid();
    }
    return this.#invalid();
  }

  /** Reads a boolean field. "true" and "false" in any letter case and the numbers 1 and 0 are converted. */
  boolean(field: string): boolean | null {
    const value = this.#raw[field];
    if (value === undefined || value === null) {
      return null;
    }
    if (typeof value === 'boolean') {
      return value;
    }
    if (value === 1 || value === 0) {
      return this.#coerced(value === 1);
    }
    if (typeof value === 'string') {
      const word = value.trim().toLowerCase();
      if (word === 'true' || word === 'false') {
        return this.#coerced(word === 'true');
      }
    }
    return this.#invalid();
  }

  /** Reads a date-time field as an ISO 8601 UTC string. See parseDateTime for the accepted forms. */
  dateTime(field: string): string | null {
    const result = parseDateTime(this.#raw[field]);
    if (result.status === 'unparseable') {
      this.#counts.unparseableDates += 1;
    }
    return result.value;
  }

  #coerced<T>(value: T): T {
    this.#counts.coercedValues += 1;
    return value;
  }

  #invalid(): null {
    this.#counts.invalidValues += 1;
    return null;
  }
}

// Safe JavaScript integers (up to 2^53 - 1) are exact and always fit a PostgreSQL bigint.
function isTicketNumber(value: number): boolean {
  return Number.isSafeInteger(value);
}
