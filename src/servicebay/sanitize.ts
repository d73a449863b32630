/**
 * Repairing strings that PostgreSQL rejects. Neither `text` nor `jsonb` accepts U+0000, and
 * both reject unpaired UTF-16 surrogates, because those cannot be encoded as UTF-8. Each one is
 * replaced with U+FFFD, the Unicode replacement character.
 */

const REPLACEMENT = '\uFFFD';

// String.prototype.isWellFormed and toWellFormed are ES2024 (Node.js 20 and later), newer than
// the ES2023 library this project compiles against, so they are typed here.
interface WellFormedMethods {
  isWellFormed?: () => boolean;
  toWellFormed?: () => string;
}
const stringPrototype = String.prototype as WellFormedMethods;
const hasWellFormedMethods =
  typeof stringPrototype.isWellFormed === 'function' && typeof stringPrototype.toWellFormed === 'function';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Counters of repaired strings and cut-off values, shared with PayloadIssueCounts. */
export interface RepairCounter {
  repairedStrings: number;
  invalidValues: number;
}

/**
 * Objects and arrays nested deeper than this are replaced by TOO_DEEP_PLACEHOLDER. The walk
 * here, JSON.stringify and PostgreSQL's jsonb parser all recurse. About 3,000 to 6,000 levels
 * exhausted their stacks when measured with Node.js 20 and PostgreSQL 15, far deeper than a
 * real ticket.
 */
export const MAX_JSON_DEPTH = 1000;
export const TOO_DEEP_PLACEHOLDER = `[servicebay-sync: value nested deeper than ${MAX_JSON_DEPTH} levels was not stored]`;

/**
 * Returns `text` with U+0000 and lone surrogates replaced by U+FFFD, or `text` itself when it
 * needs no repair.
 */
export function repairString(text: string): string {
  const wellFormed = isWellFormed(text);
  if (wellFormed && !text.includes('\0')) {
    return text;
  }

  const paired = wellFormed ? text : toWellFormed(text);
  return paired.replaceAll('\0', REPLACEMENT);
}

function isWellFormed(text: string): boolean {
  if (hasWellFormedMethods) {
    return (text as WellFormedMethods).isWellFormed!();
  }
  LONE_SURROGATE.lastIndex = 0;
  return !LONE_SURROGATE.test(text);
}

function toWellFormed(text: string): string {
  if (hasWellFormedMethods) {
    return (text as WellFormedMethods).toWellFormed!();
  }
  return text.replace(LONE_SURROGATE, REPLACEMENT);
}

/**
 * Repairs every string in a JSON value, object keys included, and counts each repaired string.
 *
 * Returns the value itself when nothing needed repair, so clean payloads are not copied. When
 * something did, only the objects and arrays on the path to a repaired string are copied; the
 * input is never modified.
 *
 * NOTE: two keys of one object that differ only in characters replaced here (such as "a\u0000"
 * and "a\uD800") become the same key, and the later value wins, as it would in a jsonb column.
 */
export function repairJsonStrings(value: unknown, counter: RepairCounter, depth = 0): unknown {
  if (typeof value === 'string') {
    const repaired = repairString(value);
    if (repaired !== value) {
      counter.repairedStrings += 1;
    }
    return repaired;
  }

  if (value === null || typeof value !== 'object') {
    return value;
  }
  if (depth >= MAX_JSON_DEPTH) {
    counter.invalidValues += 1;
    return TOO_DEEP_PLACEHOLDER;
  }
  if (Array.isArray(value)) {
    return repairArray(value, counter, depth + 1);
  }
  return repairObject(value as Record<string, unknown>, counter, depth + 1);
}

function repairArray(array: unknown[], counter: RepairCounter, depth: number): unknown[] {
  let copy: unknown[] | null = null;

  for (let index = 0; index < array.length; index += 1) {
    const item = array[index];
    const repaired = repairJsonStrings(item, counter, depth);
    if (copy === null && repaired !== item) {
      copy = array.slice(0, index);
    }
    copy?.push(repaired);
  }
  return copy ?? array;
}

function repairObject(object: Record<string, unknown>, counter: RepairCounter, depth: number): Record<string, unknown> {
  const keys = Object.keys(object);
  let copy: Record<string, unknown> | null = null;

  for (let index = 0; index < keys.length; index += 1) {
    const key = keys[index]!;
    const value = object[key];
    const repairedKey = repairJsonStrings(key, counter) as string;
    const repairedValue = repairJsonStrings(value, counter, depth);

    if (copy === null && (repairedKey !== key || repairedValue !== value)) {
      copy = {};
      for (const earlierKey of keys.slice(0, index)) {
        setOwnProperty(copy, earlierKey, object[earlierKey]);
      }
    }
    if (copy !== null) {
      setOwnProperty(copy, repairedKey, repairedValue);
    }
  }
  return copy ?? object;
}

// JSON.parse creates "__proto__" as an ordinary key, but assigning it would set the prototype
// and lose the value, so it is defined as an own property instead.
function setOwnProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
    return;
  }
  target[key] = value;
}
