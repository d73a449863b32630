/**
 * The simulator's tickets: generated tickets computed on demand, plus a small overlay of the
 * changes made through the API or by tests. Memory grows with the number of changes, not with
 * the number of tickets.
 */
import type { SimulatorOrganisation, TicketStore } from "./types.js";
import { GeneratedIds, compareKeys, firstKeyAfter } from "./ids.js";
import { TicketGenerator } from "./generate.js";
import { seedFrom, hashString } from "./random.js";

/** Exact-match list filters. An absent filter matches every ticket. */
export interface TicketFilters {
  status?: string;
  customerId?: string;
  assignedTechnician?: string;
}

export interface TicketPage {
  tickets: unknown[];
  hasMore: boolean;
  nextCursor: string | null;
}

/** Thrown by create when the requested ID is taken. */
export class TicketExistsError extends Error {
  override name = "TicketExistsError";
}

/** Thrown by update when the ticket does not exist. */
export class TicketNotFoundError extends Error {
  override name = "TicketNotFoundError";
}

interface OrganisationTickets {
  generatedIds: GeneratedIds;
  generator: TicketGenerator;
  /** Generated IDs that were deleted. */
  removed: Set<string>;
  /** Generated IDs whose payload was updated or replaced with putRaw. */
  replaced: Map<string, unknown>;
  /** Keys of created tickets and putRaw entries that are not generated IDs, sorted. */
  extraKeys: string[];
  extras: Map<string, unknown>;
  createdCount: number;
}

/** One position in the list: a generated ticket (index >= 0) or an overlay entry (index -1). */
interface ListEntry {
  key: string;
  index: number;
}

const FILTER_FIELDS = ["status", "customerId", "assignedTechnician"] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Returns a copy of `target` with `patch` applied, where a field set to undefined is removed. */
function applyPatch(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...target };
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) {
      delete merged[field];
    } else {
      merged[field] = value;
    }
  }
  return merged;
}

export class SimulatorStore implements TicketStore {
  private readonly organisations = new Map<string, OrganisationTickets>();

  /** Derives each organisation's data from the seed and its org ID, so two organisations get different tickets. */
  constructor(organisations: readonly SimulatorOrganisation[], seed: number) {
    for (const organisation of organisations) {
      const orgSeed = seedFrom(seed, hashString(organisation.orgId));
      this.organisations.set(organisation.orgId, {
        generatedIds: new GeneratedIds(orgSeed, organisation.tickets),
        generator: new TicketGenerator(orgSeed, organisation.tickets),
        removed: new Set(),
        replaced: new Map(),
        extraKeys: [],
        extras: new Map(),
        createdCount: 0,
      });
    }
  }

  hasOrganisation(orgId: string): boolean {
    return this.organisations.has(orgId);
  }

  count(orgId: string): number {
    const org = this.organisation(orgId);
    return org.generatedIds.count - org.removed.size + org.extras.size;
  }

  get(orgId: string, id: string): Record<string, unknown> | undefined {
    const org = this.organisation(orgId);
    if (org.extras.has(id)) {
      // putRaw may store any value, so callers that need a record must check.
      return org.extras.get(id) as Record<string, unknown>;
    }

    const index = org.generatedIds.indexOf(id);
    if (index < 0 || org.removed.has(id)) {
      return undefined;
    }
    return this.payload(org, { key: id, index }) as Record<string, unknown>;
  }

  *ids(orgId: string): Iterable<string> {
    for (const entry of this.walk(this.organisation(orgId), null)) {
      yield entry.key;
    }
  }

  *tickets(orgId: string): Iterable<Record<string, unknown>> {
    const org = this.organisation(orgId);
    for (const entry of this.walk(org, null)) {
      yield this.payload(org, entry) as Record<string, unknown>;
    }
  }

  create(orgId: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
    const org = this.organisation(orgId);
    const serial = org.createdCount;
    org.createdCount += 1;

    const id = typeof fields.id === "string" ? fields.id : this.unusedId(org, serial);
    if (this.exists(org, id)) {
      throw new TicketExistsError(`Ticket ${id} already exists in organisation ${orgId}.`);
    }

    const ticket = applyPatch(org.generator.newTicket(serial, id, Date.now()), { ...fields, id });
    this.store(org, id, ticket);
    return ticket;
  }

  update(orgId: string, id: string, patch: Record<string, unknown>): Record<string, unknown> {
    const current = this.get(orgId, id);
    if (current === undefined) {
      throw new TicketNotFoundError(`Ticket ${id} not found in organisation ${orgId}.`);
    }
    if (!isRecord(current)) {
      throw new TypeError(`Ticket ${id} in organisation ${orgId} is not an object, so it cannot be patched.`);
    }

    const updated = applyPatch(current, patch);
    this.store(this.organisation(orgId), id, updated);
    return updated;
  }

  remove(orgId: string, id: string): boolean {
    const org = this.organisation(orgId);
    if (org.extras.delete(id)) {
      org.extraKeys.splice(firstKeyAfter(org.extraKeys, id) - 1, 1);
      return true;
    }

    if (org.removed.has(id) || org.generatedIds.indexOf(id) < 0) {
      return false;
    }
    org.removed.add(id);
    org.replaced.delete(id);
    return true;
  }

  putRaw(orgId: string, sortKey: string, payload: unknown): void {
    this.store(this.organisation(orgId), sortKey, payload);
  }

  /**
   * Returns the page after `startAfter` (or the first page), applying the filters. A cursor
   * need not be an existing ID: it is a position in byte order.
   * NOTE: a filter on a large organisation scans every generated ticket after the cursor until
   * the page is full, which takes about a second per million tickets that do not match.
   */
  page(orgId: string, startAfter: string | null, limit: number, filters: TicketFilters): TicketPage {
    const org = this.organisation(orgId);
    const tickets: unknown[] = [];
    let nextCursor: string | null = null;
    let hasMore = false;

    const activeFilters = FILTER_FIELDS.filter((field) => filters[field] !== undefined);
    for (const entry of this.walk(org, startAfter)) {
      if (activeFilters.length > 0 && !this.matches(org, entry, filters, activeFilters)) {
        continue;
      }
      if (tickets.length === limit) {
        hasMore = true;
        break;
      }
      tickets.push(this.payload(org, entry));
      nextCursor = entry.key;
    }
    return { tickets, hasMore, nextCursor };
  }

  private organisation(orgId: string): OrganisationTickets {
    const org = this.organisations.get(orgId);
    if (org === undefined) {
      throw new Error(`Organisation ${orgId} is not served by this simulator.`);
    }
    return org;
  }

  private exists(org: OrganisationTickets, key: string): boolean {
    if (org.extras.has(key)) {
      return true;
    }
    return !org.removed.has(key) && org.generatedIds.indexOf(key) >= 0;
  }

  private unusedId(org: OrganisationTickets, serial: number): string {
    // A collision among 62^20 IDs is practically impossible, but deleted IDs must not come back.
    for (let attempt = 0; ; attempt++) {
      const id = org.generator.newId(serial, attempt);
      if (!this.exists(org, id) && !org.removed.has(id)) {
        return id;
      }
    }
  }

  /** Puts a payload at `key`: over a generated ticket (undeleting it) or into the sorted overlay. */
  private store(org: OrganisationTickets, key: string, payload: unknown): void {
    if (org.generatedIds.indexOf(key) >= 0) {
      org.removed.delete(key);
      org.replaced.set(key, payload);
      return;
    }

    if (!org.extras.has(key)) {
      org.extraKeys.splice(firstKeyAfter(org.extraKeys, key), 0, key);
    }
    org.extras.set(key, payload);
  }

  private payload(org: OrganisationTickets, entry: ListEntry): unknown {
    if (entry.index < 0) {
      return org.extras.get(entry.key);
    }
    if (org.replaced.has(entry.key)) {
      return org.replaced.get(entry.key);
    }
    return org.generator.ticket(entry.index, entry.key);
  }

  private matches(
    org: OrganisationTickets,
    entry: ListEntry,
    filters: TicketFilters,
    active: readonly (keyof TicketFilters)[],
  ): boolean {
    // Unchanged generated tickets are matched on their core fields, which avoids building the whole ticket.
    if (entry.index >= 0 && !org.replaced.has(entry.key)) {
      const core = org.generator.core(entry.index);
      const values = {
        status: core.status,
        customerId: core.customerId,
        assignedTechnician: core.technician?.id,
      };
      return active.every((field) => values[field] === filters[field]);
    }

    const payload = this.payload(org, entry);
    return isRecord(payload) && active.every((field) => payload[field] === filters[field]);
  }

  /**
   * Yields the listed entries after `afterKey` in byte order, merging generated IDs with the
   * overlay. Changing the store while a walk is running may skip or repeat overlay entries.
   */
  private *walk(org: OrganisationTickets, afterKey: string | null): Generator<ListEntry> {
    const { generatedIds, removed, extraKeys } = org;
    let index = afterKey === null ? 0 : generatedIds.firstIndexAfter(afterKey);
    let extraIndex = afterKey === null ? 0 : firstKeyAfter(extraKeys, afterKey);
    let generatedId = index < generatedIds.count ? generatedIds.at(index) : undefined;

    while (generatedId !== undefined || extraIndex < extraKeys.length) {
      const extraKey = extraKeys[extraIndex];
      if (generatedId !== undefined && (extraKey === undefined || compareKeys(generatedId, extraKey) < 0)) {
        if (!removed.has(generatedId)) {
          yield { key: generatedId, index };
        }
        index += 1;
        generatedId = index < generatedIds.count ? generatedIds.at(index) : undefined;
      } else if (extraKey !== undefined) {
        yield { key: extraKey, index: -1 };
        extraIndex += 1;
      }
    }
  }
}
