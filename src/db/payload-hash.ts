/**
 * The payload hash of a ticket, computed in the worker: the md5 of the text PostgreSQL prints
 * for the payload as `jsonb`, so `payload_hash = md5(raw::text)` holds for every stored row.
 *
 * The worker computes it so that PostgreSQL can tell which tickets of a page changed from their
 * IDs and hashes alone, without receiving and parsing the payloads of unchanged tickets.
 * Hashes stored by earlier versions, computed by PostgreSQL, are the same values.
 */
import { hash } from "node:crypto";

/** Returns the hex md5 of the payload's `jsonb` text form, as PostgreSQL's `md5(raw::text)` does. */
export function payloadHash(raw: unknown): string {
  return hash("md5", jsonbText(raw), "hex");
}

/**
 * Prints a value parsed by `JSON.parse` the way PostgreSQL prints it after storing its
 * `JSON.stringify` text as `jsonb`:
 * - object keys sorted by their length in UTF-8 bytes, then by their bytes;
 * - `", "` between members and elements, `": "` after each key;
 * - numbers in plain decimal notation, because `jsonb` keeps them as `numeric`;
 * - strings escaped as `JSON.stringify` escapes them, which matches PostgreSQL's `escape_json`.
 */
export function jsonbText(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      // Safe integers print without an exponent, the same in JavaScript and PostgreSQL.
      return Number.isSafeInteger(value) ? String(value) : numericText(value);
    case "boolean":
      return value ? "true" : "false";
    case "object":
      return Array.isArray(value) ? arrayText(value) : objectText(value as Record<string, unknown>);
    default:
      // JSON.stringify drops undefined, functions and symbols from objects and writes null in arrays.
      return "null";
  }
}

function arrayText(items: unknown[]): string {
  if (items.length === 0) return "[]";
  let text = "[";
  for (let index = 0; index < items.length; index++) {
    if (index > 0) text += ", ";
    text += jsonbText(items[index]);
  }
  return text + "]";
}

function objectText(object: Record<string, unknown>): string {
  const keys = Object.keys(object);
  if (keys.length === 0) return "{}";
  const layout = objectLayout(keys);

  let text = "";
  let written = 0;
  for (let index = 0; index < layout.sortedKeys.length; index++) {
    const value = object[layout.sortedKeys[index]!];
    if (!isJsonValue(value)) continue;
    text += (written === 0 ? "{" : ", ") + layout.keyTexts[index]!;
    text += jsonbText(value);
    written += 1;
  }
  return written === 0 ? "{}" : text + "}";
}

/** The keys of one object shape in `jsonb` order, each printed with its quotes and `": "`. */
interface ObjectLayout {
  keys: readonly string[];
  sortedKeys: readonly string[];
  keyTexts: readonly string[];
}

/**
 * Layouts by key list. Tickets of one API share a few object shapes, so sorting and printing
 * their keys once, rather than for every object, saves most of the time this module takes.
 * Only short key lists are kept: an object keyed by data, such as room IDs, has a new key list
 * every time, and keeping those would hold up to MAX_LAYOUTS copies of large key lists.
 */
const layouts = new Map<string, ObjectLayout>();
const MAX_LAYOUTS = 200;
const MAX_CACHED_KEYS = 100;
const MAX_CACHED_SIGNATURE_LENGTH = 2_000;

/** The layouts used last, newest first. Checking them first spares joining the key list. */
const recentLayouts: ObjectLayout[] = [];
const MAX_RECENT_LAYOUTS = 8;

function objectLayout(keys: string[]): ObjectLayout {
  if (keys.length > MAX_CACHED_KEYS) return buildLayout(keys);
  for (const recent of recentLayouts) {
    if (hasKeys(recent, keys)) return recent;
  }
  const layout = cachedLayout(keys);
  if (layout === null) return buildLayout(keys);
  recentLayouts.unshift(layout);
  if (recentLayouts.length > MAX_RECENT_LAYOUTS) recentLayouts.pop();
  return layout;
}

function hasKeys(layout: ObjectLayout, keys: string[]): boolean {
  if (layout.keys.length !== keys.length) return false;
  for (let index = 0; index < keys.length; index++) {
    if (layout.keys[index] !== keys[index]) return false;
  }
  return true;
}

/** Returns the layout from the cache, adding it if needed, or null when the key list is too long to keep. */
function cachedLayout(keys: string[]): ObjectLayout | null {
  const signature = keys.join("\u0000");
  if (signature.length > MAX_CACHED_SIGNATURE_LENGTH) return null;

  const cached = layouts.get(signature);
  // A key containing U+0000 could make two key lists join to one signature, so compare them.
  if (cached !== undefined && hasKeys(cached, keys)) return cached;
  const layout = buildLayout(keys);
  if (layouts.size >= MAX_LAYOUTS) layouts.clear();
  layouts.set(signature, layout);
  return layout;
}

function buildLayout(keys: string[]): ObjectLayout {
  const sortedKeys = [...keys].sort(compareJsonbKeys);
  return { keys, sortedKeys, keyTexts: sortedKeys.map((key) => JSON.stringify(key) + ": ") };
}

/** Members JSON.stringify leaves out of an object. */
function isJsonValue(value: unknown): boolean {
  return value !== undefined && typeof value !== "function" && typeof value !== "symbol";
}

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** Compares two keys in `jsonb` order: the shorter in UTF-8 bytes first, then by their bytes. */
function compareJsonbKeys(a: string, b: string): number {
  if (ASCII_ONLY.test(a) && ASCII_ONLY.test(b)) {
    // For ASCII, UTF-16 code units are the bytes.
    if (a.length !== b.length) return a.length - b.length;
    if (a === b) return 0;
    return a < b ? -1 : 1;
  }
  const bytesA = Buffer.from(a, "utf8");
  const bytesB = Buffer.from(b, "utf8");
  if (bytesA.length !== bytesB.length) return bytesA.length - bytesB.length;
  return Buffer.compare(bytesA, bytesB);
}

/**
 * Prints a number as PostgreSQL's `numeric` prints the text JSON.stringify writes for it: the
 * same digits, with an exponent such as `1e+21` or `1.5e-7` written out in full.
 */
export function numericText(value: number): string {
  // JSON.stringify writes null for NaN and the infinities.
  if (!Number.isFinite(value)) return "null";
  const text = String(value);
  const exponentAt = text.indexOf("e");
  if (exponentAt === -1) return text;

  const negative = text.startsWith("-");
  const mantissa = text.slice(negative ? 1 : 0, exponentAt);
  const exponent = Number(text.slice(exponentAt + 1));
  const pointAt = mantissa.indexOf(".");
  const digits = pointAt === -1 ? mantissa : mantissa.slice(0, pointAt) + mantissa.slice(pointAt + 1);
  const integerDigits = (pointAt === -1 ? mantissa.length : pointAt) + exponent;

  let plain: string;
  if (integerDigits <= 0) {
    plain = "0." + "0".repeat(-integerDigits) + digits;
  } else if (integerDigits >= digits.length) {
    plain = digits + "0".repeat(integerDigits - digits.length);
  } else {
    plain = digits.slice(0, integerDigits) + "." + digits.slice(integerDigits);
  }
  return negative ? "-" + plain : plain;
}
