/**
 * Reading date-time values of tickets. The API documents ISO 8601 strings, but the backend is
 * Firestore, so epoch numbers and Firestore timestamp objects are read as well.
 */

/** A date-time field read as an instant. */
export type DateTimeResult =
  | { status: 'missing'; value: null }
  | { status: 'parsed'; value: string }
  | { status: 'unparseable'; value: null };

const MISSING: DateTimeResult = { status: 'missing', value: null };
const UNPARSEABLE: DateTimeResult = { status: 'unparseable', value: null };

/**
 * Instants outside 1900-01-01 to 2200-12-31 UTC are rejected as unparseable. They lie within
 * PostgreSQL's timestamptz range (4713 BC to 294276 AD) and within JavaScript's Date range,
 * and a job time outside them is almost certainly a unit mistake.
 */
const MIN_INSTANT_MS = Date.UTC(1900, 0, 1);
const MAX_INSTANT_MS = Date.UTC(2201, 0, 1) - 1;

/**
 * Epoch numbers with an absolute value below this are seconds, larger ones milliseconds.
 * 1e11 seconds is the year 5138, beyond the accepted range, and 1e11 ms is 1973-03-03. So every
 * accepted instant after 1973-03-03 is read correctly in either unit. A millisecond value from
 * 1966-10 to 1973-03 is read as seconds: before 1970-03-25 that gives a wrong instant, after it
 * a year beyond 2200, which is rejected.
 */
const SECONDS_MS_BOUNDARY = 1e11;

const NUMERIC_STRING = /^[+-]?\d+(\.\d+)?$/;

// Date, optional time with optional fraction, optional offset. The offset needs a time.
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:\s*([Zz]|[+-]\d{2}(?::?\d{2})?))?)?$/;

/**
 * Reads a date-time value and returns it as an ISO 8601 string in UTC with millisecond
 * precision, such as `2019-08-24T14:15:22.000Z`.
 *
 * Accepted forms:
 * - ISO 8601 strings: `2019-08-24T14:15:22Z`, with an offset (`+02:00`, `+0200`, `+02`), with a
 *   space for the `T`, with any number of fraction digits (cut to milliseconds), or a date alone.
 * - Strings that name their zone as GMT or UTC in the forms `Date.prototype.toUTCString` and
 *   `toString` produce, such as `Sat, 24 Aug 2019 14:15:22 GMT`.
 * - Epoch seconds or milliseconds as a number or numeric string (see SECONDS_MS_BOUNDARY).
 * - Firestore timestamps `{ "_seconds": n, "_nanoseconds": n }` (the Admin SDK's JSON form) and
 *   `{ "seconds": n, "nanos": n }` (the protobuf JSON form, where seconds may be a string).
 *
 * null, undefined and blank strings are `missing`. Forms often store an unset date as "",
 * and counting those as unparseable would hide real problems in the count.
 */
export function parseDateTime(value: unknown): DateTimeResult {
  if (value === null || value === undefined) {
    return MISSING;
  }

  let ms: number | null = null;
  if (typeof value === 'number') {
    ms = epochToMs(value);
  } else if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') {
      return MISSING;
    }
    ms = NUMERIC_STRING.test(text) ? epochToMs(Number(text)) : parseDateTimeString(text);
  } else if (typeof value === 'object' && !Array.isArray(value)) {
    ms = parseTimestampObject(value as Record<string, unknown>);
  }

  if (ms === null || !Number.isFinite(ms) || ms < MIN_INSTANT_MS || ms > MAX_INSTANT_MS) {
    return UNPARSEABLE;
  }
  return { status: 'parsed', value: new Date(ms).toISOString() };
}

function epochToMs(epoch: number): number | null {
  if (!Number.isFinite(epoch)) {
    return null;
  }
  // Rounding at the microsecond first keeps 1566656122.123 s from becoming ...122.99999 ms.
  const ms = Math.abs(epoch) < SECONDS_MS_BOUNDARY ? Math.round(epoch * 1e6) / 1e3 : epoch;
  return Math.floor(ms);
}

function parseDateTimeString(text: string): number | null {
  const match = ISO_DATE_TIME.exec(text);
  if (match !== null) {
    return parseIsoMatch(match);
  }

  // V8's Date.parse reads the toUTCString and toString forms, which name their zone. Other
  // free-form text is left out, because Date.parse would read it in the local time zone of
  // the machine that runs the worker.
  if (/\b(GMT|UTC)\b/.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

function parseIsoMatch(match: RegExpExecArray): number | null {
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', offset] = match;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);

  // Date.UTC would roll 2019-02-30 over into March and read years below 100 as 19xx, so each
  // part is checked first. A leap second (60) rolls over to the next minute, as in PostgreSQL.
  const offsetMs = offsetToMs(offset);
  if (offsetMs === null || y < 1000 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 60) {
    return null;
  }

  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  // NOTE: a date-time without an offset is read as UTC. The API documents UTC ("Z") values,
  // but a value without an offset could also be local time of an unknown zone.
  return Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMs;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1]!;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return leap ? 29 : 28;
}

function offsetToMs(offset: string | undefined): number | null {
  if (offset === undefined || offset === 'Z' || offset === 'z') {
    return 0;
  }
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) {
    return null;
  }
  return sign * (hours * 60 + minutes) * 60_000;
}

function parseTimestampObject(object: Record<string, unknown>): number | null {
  if ('_seconds' in object) {
    return timestampToMs(object._seconds, object._nanoseconds);
  }
  if ('seconds' in object) {
    return timestampToMs(object.seconds, object.nanos);
  }
  return null;
}

function timestampToMs(seconds: unknown, nanos: unknown): number | null {
  const wholeSeconds = readInteger(seconds);
  const nanoseconds = nanos === undefined || nanos === null ? 0 : readInteger(nanos);
  if (wholeSeconds === null || nanoseconds === null || nanoseconds < 0 || nanoseconds > 999_999_999) {
    return null;
  }
  return wholeSeconds * 1000 + Math.floor(nanoseconds / 1_000_000);
}

function readInteger(value: unknown): number | null {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? value : null;
  }
  if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) {
    const number = Number(value);
    return Number.isSafeInteger(number) ? number : null;
  }
  return null;
}
