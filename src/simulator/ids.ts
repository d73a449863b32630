/**
 * Firestore-style ticket IDs: 20 characters of [A-Za-z0-9], listed in byte order.
 *
 * The generated IDs are never stored. ID number i is computed from (seed, i) on demand and
 * the IDs come out already sorted, so a million-ticket organisation costs no memory and no
 * sort at start. Each ID starts with a 4-character prefix drawn from the i-th of N equal
 * slices of the prefix space, so prefixes rise strictly with i. The remaining 16 characters
 * are random. The result is spread over the ID space like random Firestore IDs, but
 * stratified.
 */
import { Random, seedFrom } from "./random.js";

/** The ID characters in ASCII order, so comparing digit values compares bytes. */
export const ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const ID_LENGTH = 20;

const PREFIX_LENGTH = 4;
const PREFIX_SPACE = ID_ALPHABET.length ** PREFIX_LENGTH; // 14,776,336
const STREAM_ID = 1;

/**
 * Upper bound on generated tickets per organisation. Prefixes stay distinct while N is at most
 * PREFIX_SPACE, and i * PREFIX_SPACE stays an exact integer in a double. At the documented
 * 10,000 tickets a minute, a full scan of this many tickets already takes about 17 hours.
 */
export const MAX_GENERATED_TICKETS = 10_000_000;

/** Returns `length` random characters of the ID alphabet. */
export function randomChars(random: Random, length: number): string {
  let text = "";
  for (let i = 0; i < length; i++) {
    text += ID_ALPHABET.charAt(random.int(ID_ALPHABET.length));
  }
  return text;
}

/** Returns a random 20-character ID, as Firestore creates for a new document. */
export function randomId(random: Random): string {
  return randomChars(random, ID_LENGTH);
}

/**
 * Compares list keys in the API's order.
 * NOTE: JavaScript compares UTF-16 code units, which matches UTF-8 byte order for every key made
 * of ASCII or BMP characters. Keys with characters above U+FFFF (only possible through putRaw)
 * may sort differently from PostgreSQL's COLLATE "C".
 */
export function compareKeys(a: string, b: string): number {
  if (a < b) {
    return -1;
  }
  return a > b ? 1 : 0;
}

/** Returns the position of the first key in `keys` greater than `key`. */
export function firstKeyAfter(keys: readonly string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareKeys(keys[middle] ?? "", key) > 0) {
      high = middle;
    } else {
      low = middle + 1;
    }
  }
  return low;
}

/** The sorted IDs of one organisation's generated tickets, computed on demand. */
export class GeneratedIds {
  readonly count: number;
  private readonly seed: number;

  constructor(seed: number, count: number) {
    if (!Number.isSafeInteger(count) || count < 0 || count > MAX_GENERATED_TICKETS) {
      throw new RangeError(
        `Invalid ticket count ${count}: expected an integer from 0 to ${MAX_GENERATED_TICKETS}.`,
      );
    }
    this.seed = seed;
    this.count = count;
  }

  /** Returns the ID at list position `index` (0-based). */
  at(index: number): string {
    const random = new Random(seedFrom(this.seed, index, STREAM_ID));

    // Slice `index` of the prefix space is [low, high), which is never empty while count <= PREFIX_SPACE.
    const low = Math.floor((index * PREFIX_SPACE) / this.count);
    const high = Math.floor(((index + 1) * PREFIX_SPACE) / this.count);
    let prefix = low + random.int(high - low);

    let head = "";
    for (let i = 0; i < PREFIX_LENGTH; i++) {
      head = ID_ALPHABET.charAt(prefix % ID_ALPHABET.length) + head;
      prefix = Math.floor(prefix / ID_ALPHABET.length);
    }

    return head + randomChars(random, ID_LENGTH - PREFIX_LENGTH);
  }

  /** Returns the position of the first ID greater than `key` in byte order, or count when none is. */
  firstIndexAfter(key: string): number {
    return this.search((id) => compareKeys(id, key) > 0);
  }

  /** Returns the position of `id`, or -1 when it is not a generated ID. */
  indexOf(id: string): number {
    const index = this.search((candidate) => compareKeys(candidate, id) >= 0);
    return index < this.count && this.at(index) === id ? index : -1;
  }

  /** Returns the first position whose ID satisfies `isAtOrPast`, a predicate monotone in list order, by binary search. */
  private search(isAtOrPast: (id: string) => boolean): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (isAtOrPast(this.at(middle))) {
        high = middle;
      } else {
        low = middle + 1;
      }
    }
    return low;
  }
}
