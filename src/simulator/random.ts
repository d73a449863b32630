/**
 * Deterministic pseudo-random numbers. Every generated value is derived from a hash of
 * (seed, index, stream), so a ticket can be regenerated on demand in any process without
 * replaying the numbers drawn for the tickets before it.
 */

/** Mixes one 32-bit integer into another (the murmur3 finaliser); returns an unsigned 32-bit hash. */
export function mix32(hash: number, value: number): number {
  let h = (hash ^ Math.imul(value | 0, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Hashes a string with 32-bit FNV-1a over its UTF-16 code units. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return hash >>> 0;
}

/** Hashes a list of integers into one 32-bit seed. */
export function seedFrom(...values: number[]): number {
  let hash = 0x2545f491;
  for (const value of values) {
    hash = mix32(hash, value);
  }
  return hash;
}

/**
 * A small seeded generator (mulberry32, public domain, by Tommy Ettinger). Its 32-bit state is
 * enough here: each stream draws only a few dozen numbers.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Returns a float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Returns an integer in [0, bound). */
  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  /** Returns an integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) {
      throw new Error("Random.pick needs a non-empty list");
    }
    return item;
  }

  /** Picks a value with probability proportional to its weight. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, weight] of choices) {
      total += weight;
    }

    let remaining = this.next() * total;
    for (const [value, weight] of choices) {
      remaining -= weight;
      if (remaining < 0) {
        return value;
      }
    }

    const last = choices[choices.length - 1];
    if (last === undefined) {
      throw new Error("Random.weighted needs a non-empty list");
    }
    return last[0];
  }

  /**
   * Returns a log-normally distributed value with the given median, so most values sit near
   * the median and a long tail runs to several times it, like real repair durations.
   */
  logNormal(median: number, sigma: number): number {
    // Box-Muller transform; 1 - next() keeps the logarithm's argument above zero.
    const u1 = 1 - this.next();
    const u2 = this.next();
    const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return median * Math.exp(sigma * normal);
  }
}
