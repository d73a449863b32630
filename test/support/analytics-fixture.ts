import type { TestDatabase } from "./database.js";

/**
 * A small hand-made history for the view and report tests, written straight into the tables so
 * every expected number can be computed by hand. Four sync runs observed it.
 */
export const RUN_AT = {
  1: "2026-03-02T12:00:00Z",
  2: "2026-03-04T12:00:00Z",
  3: "2026-03-11T12:00:00Z",
  4: "2026-03-12T12:00:00Z",
} as const;
type Run = keyof typeof RUN_AT;

interface FixtureVersion {
  run: Run;
  status: string | null;
  /** ticketClosedTimestamp of this version; absent when the API sent none. */
  closedAt?: string;
  /** A tombstone: the ticket was soft-deleted by this run. */
  deleted?: boolean;
  /** Changes the payload without changing anything the views read. */
  notes?: string;
}

interface FixtureTicket {
  org: string;
  id: string;
  number: number;
  createdAt: string | null;
  technician: string | null;
  location: string | null;
  warranty: boolean;
  versions: FixtureVersion[];
}

export const ORG_A = "org_a";
export const ORG_B = "org_b";

/** Durations in hours are noted where the ticket appears in closed_ticket_durations. */
export const FIXTURE_TICKETS: FixtureTicket[] = [
  // 10 h, closed_at from the API, closed in the week of 2026-03-02.
  { org: ORG_A, id: "t01", number: 1, createdAt: "2026-03-02T08:00:00Z", technician: "ana", location: "instore", warranty: false,
    versions: [{ run: 1, status: "Open" }, { run: 2, status: "Closed", closedAt: "2026-03-02T18:00:00Z" }] },
  // 3 h, observed at run 1 (no API close time); the status is lower case.
  { org: ORG_A, id: "t02", number: 2, createdAt: "2026-03-02T09:00:00Z", technician: "ana", location: "remote", warranty: true,
    versions: [{ run: 1, status: "closed" }] },
  // 216 h, closed, reopened and closed again; the API close time is the final one.
  { org: ORG_A, id: "t03", number: 3, createdAt: "2026-03-01T10:00:00Z", technician: "bo", location: "offsite", warranty: false,
    versions: [
      { run: 1, status: "Closed", closedAt: "2026-03-02T10:00:00Z" },
      { run: 2, status: "In Progress" },
      { run: 3, status: "Closed", closedAt: "2026-03-10T10:00:00Z" },
    ] },
  // 180 h, closed as observed at run 3.
  { org: ORG_A, id: "t04", number: 4, createdAt: "2026-03-04T00:00:00Z", technician: "bo", location: "instore", warranty: false,
    versions: [{ run: 2, status: "Open" }, { run: 3, status: "Closed" }] },
  // 240 h, observed: closed, reopened, closed at run 3, then edited while closed at run 4.
  { org: ORG_A, id: "t05", number: 5, createdAt: "2026-03-01T12:00:00Z", technician: null, location: "offsite", warranty: false,
    versions: [
      { run: 1, status: "Closed" },
      { run: 2, status: "Open" },
      { run: 3, status: "Closed" },
      { run: 4, status: "Closed", notes: "customer called" },
    ] },
  // Deleted while closed: in deleted_tickets only.
  { org: ORG_A, id: "t06", number: 6, createdAt: "2026-03-02T08:00:00Z", technician: "ana", location: "instore", warranty: false,
    versions: [{ run: 1, status: "Closed", closedAt: "2026-03-02T11:00:00Z" }, { run: 2, status: "Closed", closedAt: "2026-03-02T11:00:00Z", deleted: true }] },
  // 48 h, deleted while open, listed again closed.
  { org: ORG_A, id: "t07", number: 7, createdAt: "2026-03-01T08:00:00Z", technician: "ana", location: "instore", warranty: false,
    versions: [{ run: 1, status: "Open" }, { run: 2, status: "Open", deleted: true }, { run: 3, status: "Closed", closedAt: "2026-03-03T08:00:00Z" }] },
  // Closed before it was created: left out of closed_ticket_durations.
  { org: ORG_A, id: "t08", number: 8, createdAt: "2026-03-05T10:00:00Z", technician: "bo", location: "remote", warranty: false,
    versions: [{ run: 3, status: "Closed", closedAt: "2026-03-04T10:00:00Z" }] },
  // Open: in the backlog.
  { org: ORG_A, id: "t09", number: 9, createdAt: "2026-03-10T09:00:00Z", technician: "bo", location: "instore", warranty: false,
    versions: [{ run: 3, status: "Open" }] },
  // No creation time: left out of closed_ticket_durations.
  { org: ORG_A, id: "t10", number: 10, createdAt: null, technician: "bo", location: "instore", warranty: false,
    versions: [{ run: 3, status: "Closed", closedAt: "2026-03-10T00:00:00Z" }] },
  // 24 h, reopened and closed again between two runs: only the API close time changed.
  { org: ORG_A, id: "t12", number: 12, createdAt: "2026-03-02T08:00:00Z", technician: "cy", location: "remote", warranty: false,
    versions: [{ run: 1, status: "Closed", closedAt: "2026-03-02T10:00:00Z" }, { run: 2, status: "Closed", closedAt: "2026-03-03T08:00:00Z" }] },
  // 4 h, the only ticket of the second organisation.
  { org: ORG_B, id: "t11", number: 11, createdAt: "2026-03-02T08:00:00Z", technician: "cy", location: "remote", warranty: false,
    versions: [{ run: 1, status: "Closed", closedAt: "2026-03-02T12:00:00Z" }] },
];

function payloadOf(ticket: FixtureTicket, version: FixtureVersion): Record<string, unknown> {
  const payload: Record<string, unknown> = { id: ticket.id, ticketId: ticket.number, status: version.status, warrantyRepair: ticket.warranty };
  if (ticket.createdAt !== null) payload.timestamp = ticket.createdAt;
  if (version.closedAt !== undefined) payload.ticketClosedTimestamp = version.closedAt;
  if (ticket.technician !== null) payload.assignedTechnician = ticket.technician;
  if (ticket.location !== null) payload.serviceLocation = ticket.location;
  if (version.notes !== undefined) payload.serviceNotes = version.notes;
  return payload;
}

const CONTENT_COLUMNS = "org_id, id, ticket_number, status, created_at, closed_at, assigned_technician, service_location, warranty_repair, raw, payload_hash";

/** Writes every fixture ticket's versions and its current row, as the sync worker would have. */
export async function insertAnalyticsFixture(db: TestDatabase): Promise<void> {
  for (const ticket of FIXTURE_TICKETS) {
    let deletedAt: string | null = null;
    for (const [index, version] of ticket.versions.entries()) {
      const next = ticket.versions[index + 1];
      const raw = JSON.stringify(payloadOf(ticket, version));
      await db.query(
        `INSERT INTO servicebay.ticket_versions (${CONTENT_COLUMNS}, version, valid_from, valid_to, is_deleted, sync_run_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, md5($10::jsonb::text), $11, $12, $13, $14, $15)`,
        [ticket.org, ticket.id, ticket.number, version.status, ticket.createdAt, version.closedAt ?? null, ticket.technician,
          ticket.location, ticket.warranty, raw, index + 1, RUN_AT[version.run], next ? RUN_AT[next.run] : null, version.deleted === true, version.run],
      );
      deletedAt = version.deleted === true ? RUN_AT[version.run] : null;
    }

    const last = ticket.versions[ticket.versions.length - 1];
    const first = ticket.versions[0];
    if (!last || !first) throw new Error(`Fixture ticket ${ticket.id} has no versions`);
    await db.query(
      `INSERT INTO servicebay.tickets (${CONTENT_COLUMNS}, version, first_seen_at, last_changed_at, deleted_at, last_sync_run_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, md5($10::jsonb::text), $11, $12, $13, $14, $15)`,
      [ticket.org, ticket.id, ticket.number, last.status, ticket.createdAt, last.closedAt ?? null, ticket.technician,
        ticket.location, ticket.warranty, JSON.stringify(payloadOf(ticket, last)), ticket.versions.length, RUN_AT[first.run],
        RUN_AT[last.run], deletedAt, last.run],
    );
  }
}
