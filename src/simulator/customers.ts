/**
 * The customers of one organisation. Each is rebuilt from (seed, customer number), so the
 * same customer has the same name, e-mail, phone and devices on every ticket.
 */
import { CITIES, DEVICES, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, PHONE_PATTERNS, STREETS, WHOLE_NAMES } from "./catalog.js";
import { randomChars } from "./ids.js";
import { Random, seedFrom } from "./random.js";

const STREAM_CUSTOMER = 3;

/** Maximum number of cached customers. A small organisation's customers all fit, and a large one's are rebuilt as needed. */
const CUSTOMER_CACHE_SIZE = 10_000;

export interface Customer {
  id: string;
  name: string;
  email: string | undefined;
  phone: string | undefined;
  address: string;
  /** Device name, type and ID of each device the customer brings in. */
  devices: { name: string; type: string; id: string }[];
}

/** Replaces each # in `pattern` with a random digit. */
function fillDigits(pattern: string, random: Random): string {
  let text = "";
  for (const char of pattern) {
    text += char === "#" ? String(random.int(10)) : char;
  }
  return text;
}

export class CustomerDirectory {
  readonly count: number;
  private readonly seed: number;
  private readonly cache = new Map<number, Customer>();

  constructor(seed: number, count: number) {
    this.seed = seed;
    this.count = count;
  }

  /** Returns the customer ID of customer number `customerIndex`. */
  id(customerIndex: number): string {
    return `cus_${randomChars(new Random(seedFrom(this.seed, customerIndex, STREAM_CUSTOMER)), 14)}`;
  }

  /** Returns customer number `customerIndex`, built on first use. */
  get(customerIndex: number): Customer {
    let customer = this.cache.get(customerIndex);
    if (customer === undefined) {
      if (this.cache.size >= CUSTOMER_CACHE_SIZE) {
        this.cache.clear();
      }
      customer = this.buildCustomer(customerIndex);
      this.cache.set(customerIndex, customer);
    }
    return customer;
  }

  private buildCustomer(customerIndex: number): Customer {
    // The ID uses its own stream, so the draws below never shift it.
    const random = new Random(seedFrom(this.seed, customerIndex, STREAM_CUSTOMER, 1));

    let name: string;
    let emailName: string;
    if (random.chance(0.1)) {
      [name, emailName] = random.pick(WHOLE_NAMES);
    } else {
      const [first, firstAscii] = random.pick(FIRST_NAMES);
      const [last, lastAscii] = random.pick(LAST_NAMES);
      name = `${first} ${last}`;
      emailName = `${firstAscii}.${lastAscii}`;
    }

    const email = random.chance(0.95) ? `${emailName}${random.int(100)}@${random.pick(EMAIL_DOMAINS)}` : undefined;
    const phone = random.chance(0.9) ? fillDigits(random.pick(PHONE_PATTERNS), random) : undefined;
    const address = `${random.between(1, 240)} ${random.pick(STREETS)}, ${random.pick(CITIES)}`;

    const devices: Customer["devices"] = [];
    const deviceCount = random.between(1, 2);
    for (let slot = 0; slot < deviceCount; slot++) {
      const [deviceName, deviceType] = random.pick(DEVICES);
      devices.push({ name: deviceName, type: deviceType, id: `dev_${randomChars(random, 16)}` });
    }

    return { id: this.id(customerIndex), name, email, phone, address, devices };
  }
}
