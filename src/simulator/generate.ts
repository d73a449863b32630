/**
 * Generated ticket payloads. Ticket number i of an organisation is rebuilt from (seed, i) on
 * every request, so memory does not grow with the number of tickets.
 */
import {
  ADDITIONAL_ITEMS,
  BRANCH_ADDRESSES,
  CITIES,
  LOCATIONS,
  MEDIAN_REPAIR_HOURS,
  NOTE_SENTENCES,
  OPEN_STATUSES,
  SERVICES,
  STREETS,
  TECHNICIANS,
  type ServiceLocation,
  type Technician,
} from "./catalog.js";
import { CustomerDirectory, type Customer } from "./customers.js";
import { randomId } from "./ids.js";
import { Random, seedFrom } from "./random.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The end of the generated history. It is a fixed date rather than the current time so that
 * two processes, or the same process on two days, generate identical tickets from one seed.
 */
export const GENERATED_UNTIL_MS = Date.UTC(2026, 11, 1);
const HISTORY_MS = 730 * DAY_MS;

const FIRST_TICKET_NUMBER = 1001;
const PERMUTATION_PRIMES = [1_000_003, 999_983, 104_729, 7_919];

const STREAM_CORE = 2;
const STREAM_DETAILS = 5;
const STREAM_CREATED = 6;

/** The fields that list filters need, computed without building the whole ticket. */
export interface TicketCore {
  ticketNumber: number;
  createdMs: number;
  closedMs: number | undefined;
  status: string;
  location: ServiceLocation;
  technician: Technician | undefined;
  customerIndex: number;
  customerId: string;
}

/** Formats an instant as ISO 8601 in whole seconds, like the API's `2019-08-24T14:15:22Z`. */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + "Z";
}

/** Builds the tickets of one organisation from its seed and generated-ticket count. */
export class TicketGenerator {
  private readonly seed: number;
  private readonly count: number;
  private readonly multiplier: number;
  private readonly offset: number;
  private readonly customers: CustomerDirectory;

  constructor(seed: number, count: number) {
    this.seed = seed;
    this.count = count;

    // About six jobs per customer, so customer filters and repeat customers occur.
    this.customers = new CustomerDirectory(seed, Math.max(10, Math.ceil(count / 6)));

    // Ticket numbers are an affine permutation of list positions: unique, unrelated to the
    // random ID order, and rising with creation time as real job numbers do. A prime that does
    // not divide count is coprime with it, which makes the map a bijection.
    this.multiplier = PERMUTATION_PRIMES.find((prime) => count % prime !== 0) ?? 1;
    this.offset = count > 0 ? seedFrom(seed, 7) % count : 0;
  }

  /** Computes the filterable fields of generated ticket `index`. */
  core(index: number): TicketCore {
    const random = new Random(seedFrom(this.seed, index, STREAM_CORE));
    const rank = (this.multiplier * index + this.offset) % this.count;
    const createdMs = this.createdAt(rank, random.next());
    return this.buildCore(random, FIRST_TICKET_NUMBER + rank, createdMs, GENERATED_UNTIL_MS);
  }

  /** Builds the full payload of generated ticket `index` with the given ID. */
  ticket(index: number, id: string): Record<string, unknown> {
    const core = this.core(index);
    const random = new Random(seedFrom(this.seed, index, STREAM_DETAILS));
    return this.buildTicket(id, core, random);
  }

  /**
   * Builds a ticket created now through the API or the store. `serial` counts tickets created
   * in this organisation and keeps their numbers above every generated one.
   */
  newTicket(serial: number, id: string, nowMs: number): Record<string, unknown> {
    const random = new Random(seedFrom(this.seed, serial, STREAM_CREATED));
    const ticketNumber = FIRST_TICKET_NUMBER + this.count + serial;
    const core = this.buildCore(random, ticketNumber, Math.floor(nowMs / 1000) * 1000, nowMs);
    core.status = "Open";
    core.closedMs = undefined;
    return this.buildTicket(id, core, random);
  }

  /** Returns a random ID for a new ticket, drawn from the organisation's seed and `serial`. */
  newId(serial: number, attempt: number): string {
    return randomId(new Random(seedFrom(this.seed, serial, attempt, STREAM_CREATED)));
  }

  /**
   * Spreads creation times over the last two years in job-number order. Each day's 24 hours are
   * mapped onto 08:00 to 18:00 UTC, so jobs arrive in working hours and stay in order.
   */
  private createdAt(rank: number, jitter: number): number {
    const start = GENERATED_UNTIL_MS - HISTORY_MS;
    const instant = start + ((rank + jitter) / this.count) * HISTORY_MS;
    const day = Math.floor(instant / DAY_MS) * DAY_MS;
    const dayFraction = (instant - day) / DAY_MS;
    return Math.floor((day + 8 * HOUR_MS + dayFraction * 10 * HOUR_MS) / 1000) * 1000;
  }

  private buildCore(random: Random, ticketNumber: number, createdMs: number, nowMs: number): TicketCore {
    const location = random.weighted(LOCATIONS);
    const technician = random.pick(TECHNICIANS);

    // Durations run from an hour to six weeks, and depend on where the repair happens and who does it.
    const medianHours = MEDIAN_REPAIR_HOURS[location] * technician.speed;
    const hours = Math.min(42 * 24, Math.max(1, random.logNormal(medianHours, 0.9)));
    const closedMs = createdMs + Math.round(hours * 3600) * 1000;

    // Old jobs are nearly all closed, while recent ones are often still open.
    const ageMs = nowMs - createdMs;
    const closeChance = ageMs > 45 * DAY_MS ? 0.93 : 0.55;
    const isClosed = closedMs <= nowMs && random.chance(closeChance);
    const status = isClosed ? "Closed" : random.weighted(OPEN_STATUSES);
    const isUnassigned = status === "Open" && random.chance(0.3);

    const customerIndex = random.int(this.customers.count);
    return {
      ticketNumber,
      createdMs,
      closedMs: isClosed ? closedMs : undefined,
      status,
      location,
      technician: isUnassigned ? undefined : technician,
      customerIndex,
      customerId: this.customers.id(customerIndex),
    };
  }

  private buildTicket(id: string, core: TicketCore, random: Random): Record<string, unknown> {
    const customer = this.customers.get(core.customerIndex);
    const device = random.pick(customer.devices);
    const ticket: Record<string, unknown> = {
      id,
      ticketId: core.ticketNumber,
      status: core.status,
      timestamp: formatInstant(core.createdMs),
    };

    if (core.closedMs !== undefined) {
      ticket.ticketClosedTimestamp = formatInstant(core.closedMs);
    }

    ticket.customerId = customer.id;
    ticket.customerName = customer.name;
    if (customer.email !== undefined) {
      ticket.customerEmail = customer.email;
    }
    if (customer.phone !== undefined) {
      ticket.customerPhone = customer.phone;
    }
    ticket.customerDeviceName = device.name;
    ticket.customerDeviceType = device.type;
    if (random.chance(0.95)) {
      ticket.deviceId = device.id;
    }
    if (core.technician !== undefined) {
      ticket.assignedTechnician = core.technician.id;
    }

    ticket.serviceRequired = random.pick(SERVICES);
    if (random.chance(0.92)) {
      ticket.serviceNotes = this.notes(random, core.createdMs);
    }

    if (random.chance(0.9)) {
      const serviceMs = core.createdMs + random.between(1, 96) * HOUR_MS;
      ticket.serviceTime = formatInstant(serviceMs);
      ticket.endTime = formatInstant(serviceMs + random.between(1, 8) * 30 * 60_000);
    }

    const usesAlternativeAddress = core.location === "offsite" && random.chance(0.15);
    ticket.serviceAddress = this.serviceAddress(core, customer, usesAlternativeAddress, random);
    ticket.serviceLocation = core.location;
    ticket.warrantyRepair = random.chance(0.18);
    if (random.chance(0.93)) {
      ticket.alternativeCustomerAddress = usesAlternativeAddress;
    }

    if (random.chance(0.95)) {
      ticket.additionalItems = this.additionalItems(random);
    }
    if (random.chance(0.9)) {
      ticket.messageRooms = this.messageRooms(random, id, core.createdMs);
    }
    return ticket;
  }

  /** Writes one to three sentences, or for about 3% of tickets a work log of a few KB. */
  private notes(random: Random, createdMs: number): string {
    if (random.chance(0.03)) {
      const lines: string[] = [];
      const entries = random.between(25, 70);
      for (let i = 0; i < entries; i++) {
        const at = formatInstant(createdMs + i * random.between(1, 6) * HOUR_MS);
        lines.push(`[${at}] ${random.pick(TECHNICIANS).id}: ${random.pick(NOTE_SENTENCES)}`);
      }
      return lines.join("\n");
    }

    const sentences: string[] = [];
    const count = random.between(1, 3);
    for (let i = 0; i < count; i++) {
      sentences.push(random.pick(NOTE_SENTENCES));
    }
    return sentences.join(" ");
  }

  private serviceAddress(core: TicketCore, customer: Customer, alternative: boolean, random: Random): string {
    if (core.location === "instore") {
      return BRANCH_ADDRESSES[core.customerIndex % BRANCH_ADDRESSES.length] ?? customer.address;
    }
    if (alternative) {
      return `${random.between(1, 240)} ${random.pick(STREETS)}, ${random.pick(CITIES)}`;
    }
    return customer.address;
  }

  private additionalItems(random: Random): Record<string, unknown>[] {
    const items: Record<string, unknown>[] = [];
    const count = random.weighted([[0, 50], [1, 30], [2, 15], [3, 5]] as const);
    for (let i = 0; i < count; i++) {
      const [sku, name, unitPrice] = random.pick(ADDITIONAL_ITEMS);
      items.push({ sku, name, quantity: random.chance(0.85) ? 1 : 2, unitPrice });
    }
    return items;
  }

  private messageRooms(random: Random, id: string, createdMs: number): Record<string, unknown> {
    const rooms: Record<string, unknown> = {};
    if (random.chance(0.7)) {
      rooms.customer = {
        roomId: `room_${id.slice(0, 8)}_c`,
        lastMessageAt: formatInstant(createdMs + random.between(1, 72) * HOUR_MS),
        unreadCount: random.weighted([[0, 70], [1, 20], [3, 10]] as const),
      };
    }
    if (random.chance(0.4)) {
      rooms.internal = { roomId: `room_${id.slice(0, 8)}_i`, participants: [random.pick(TECHNICIANS).id] };
    }
    return rooms;
  }
}
