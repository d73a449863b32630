/**
 * Fault injection. Every random choice comes from one seeded generator, so the same seed and
 * the same sequence of requests give the same faults.
 */
import type { FaultOptions } from "./types.js";
import { Random, seedFrom } from "./random.js";
import { errorReply, proxyErrorReply, type Reply } from "./responses.js";

export type Fault =
  | { kind: "hang" }
  | { kind: "reset" }
  | { kind: "serverError"; status: 500 | 502 | 503 }
  | { kind: "truncated" };

export const NO_FAULTS: FaultOptions = {
  latencyMs: 0,
  serverErrorRate: 0,
  hangRate: 0,
  resetRate: 0,
  truncatedRate: 0,
  rateLimitBurst: 0,
};

const RATE_FIELDS = ["serverErrorRate", "hangRate", "resetRate", "truncatedRate"] as const;

/** Throws a RangeError naming the first fault option that is out of range. */
export function validateFaults(faults: Partial<FaultOptions>): void {
  for (const field of RATE_FIELDS) {
    const rate = faults[field];
    if (rate !== undefined && !(rate >= 0 && rate <= 1)) {
      throw new RangeError(`Invalid fault option ${field}=${rate}: expected a fraction from 0 to 1.`);
    }
  }
  for (const field of ["latencyMs", "rateLimitBurst"] as const) {
    const value = faults[field];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new RangeError(`Invalid fault option ${field}=${value}: expected a non-negative integer.`);
    }
  }
}

export class FaultInjector {
  private options: FaultOptions;
  private burstRemaining: number;
  private readonly random: Random;

  constructor(seed: number, faults: Partial<FaultOptions> = {}) {
    validateFaults(faults);
    this.options = { ...NO_FAULTS, ...faults };
    this.burstRemaining = this.options.rateLimitBurst;
    this.random = new Random(seedFrom(seed, 0xfa17));
  }

  get latencyMs(): number {
    return this.options.latencyMs;
  }

  /** Merges new fault options. A rateLimitBurst given here starts a new burst. */
  set(faults: Partial<FaultOptions>): void {
    validateFaults(faults);
    this.options = { ...this.options, ...faults };
    if (faults.rateLimitBurst !== undefined) {
      this.burstRemaining = faults.rateLimitBurst;
    }
  }

  /** Returns true when this request belongs to a 429 burst, and counts it. */
  takeBurst(): boolean {
    if (this.burstRemaining <= 0) {
      return false;
    }
    this.burstRemaining -= 1;
    return true;
  }

  /**
   * Picks the fault for one list or get request. One draw decides between the kinds, so their
   * rates add up: hang, then reset, then server error, then truncated body.
   */
  draw(): Fault | undefined {
    const { hangRate, resetRate, serverErrorRate, truncatedRate } = this.options;
    if (hangRate + resetRate + serverErrorRate + truncatedRate === 0) {
      return undefined;
    }

    const roll = this.random.next();
    let threshold = hangRate;
    if (roll < threshold) {
      return { kind: "hang" };
    }

    threshold += resetRate;
    if (roll < threshold) {
      return { kind: "reset" };
    }

    threshold += serverErrorRate;
    if (roll < threshold) {
      return { kind: "serverError", status: this.random.pick([500, 502, 503] as const) };
    }

    threshold += truncatedRate;
    if (roll < threshold) {
      return { kind: "truncated" };
    }
    return undefined;
  }
}

/** Builds the reply for a server error fault: JSON for 500 and 503, an HTML proxy page for 502. */
export function serverErrorReply(fault: Extract<Fault, { kind: "serverError" }>): Reply {
  if (fault.status === 502) {
    return proxyErrorReply(502, "Bad Gateway");
  }
  if (fault.status === 503) {
    return errorReply(503, "Service temporarily unavailable. Retry later.", { "Retry-After": "1" });
  }
  return errorReply(500, "Internal server error.");
}
