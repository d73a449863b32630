import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

/** Every table and view of the mirror lives in this PostgreSQL schema. */
export const servicebay = pgSchema("servicebay");

/**
 * Text compared byte by byte, the order in which the API lists tickets (Firestore document IDs),
 * so `ORDER BY id` in SQL matches the API's cursor order.
 */
const byteOrderedText = customType<{ data: string }>({
  dataType: () => 'text COLLATE "C"',
});

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: "string" });

/** The typed columns shared by the current state and every historical version of a ticket. */
const ticketColumns = () => ({
  orgId: byteOrderedText("org_id").notNull(),
  id: byteOrderedText("id").notNull(),
  ticketNumber: bigint("ticket_number", { mode: "number" }),
  status: text("status"),
  createdAt: timestamptz("created_at"),
  closedAt: timestamptz("closed_at"),
  customerId: text("customer_id"),
  customerName: text("customer_name"),
  customerEmail: text("customer_email"),
  customerPhone: text("customer_phone"),
  customerDeviceName: text("customer_device_name"),
  customerDeviceType: text("customer_device_type"),
  deviceId: text("device_id"),
  assignedTechnician: text("assigned_technician"),
  serviceRequired: text("service_required"),
  serviceNotes: text("service_notes"),
  serviceTime: timestamptz("service_time"),
  endTime: timestamptz("end_time"),
  serviceAddress: text("service_address"),
  serviceLocation: text("service_location"),
  warrantyRepair: boolean("warranty_repair"),
  alternativeCustomerAddress: boolean("alternative_customer_address"),
  additionalItems: jsonb("additional_items"),
  messageRooms: jsonb("message_rooms"),
  raw: jsonb("raw").notNull(),
  /** md5 of `raw::text`; jsonb's text form is normalised, so equal payloads hash equally. */
  payloadHash: text("payload_hash").notNull(),
});

export const tickets = servicebay.table(
  "tickets",
  {
    ...ticketColumns(),
    version: integer("version").notNull(),
    firstSeenAt: timestamptz("first_seen_at").notNull(),
    lastChangedAt: timestamptz("last_changed_at").notNull(),
    deletedAt: timestamptz("deleted_at"),
    lastSyncRunId: bigint("last_sync_run_id", { mode: "number" }).notNull(),
  },
  (table) => [
    primaryKey({ name: "tickets_pkey", columns: [table.orgId, table.id] }),
    index("tickets_status_idx").on(table.orgId, table.status),
    index("tickets_customer_idx").on(table.orgId, table.customerId),
    index("tickets_technician_idx").on(table.orgId, table.assignedTechnician),
    index("tickets_created_at_idx").on(table.orgId, table.createdAt),
    index("tickets_closed_at_idx").on(table.orgId, table.closedAt),
    index("tickets_deleted_at_idx").on(table.orgId, table.deletedAt).where(sql`${table.deletedAt} IS NOT NULL`),
  ],
);

export const ticketVersions = servicebay.table(
  "ticket_versions",
  {
    ...ticketColumns(),
    version: integer("version").notNull(),
    validFrom: timestamptz("valid_from").notNull(),
    validTo: timestamptz("valid_to"),
    isDeleted: boolean("is_deleted").notNull().default(false),
    syncRunId: bigint("sync_run_id", { mode: "number" }).notNull(),
  },
  (table) => [
    primaryKey({ name: "ticket_versions_pkey", columns: [table.orgId, table.id, table.version] }),
    // Not unique on purpose: the statement that closes the old version and inserts the new one
    // runs both changes at once, and a unique index would be checked between them.
    index("ticket_versions_current_idx").on(table.orgId, table.id).where(sql`${table.validTo} IS NULL`),
    index("ticket_versions_valid_from_idx").on(table.orgId, table.validFrom),
  ],
);

export const RUN_STATUSES = ["running", "succeeded", "failed", "interrupted", "abandoned", "needs_review"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const syncRuns = servicebay.table(
  "sync_runs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    orgId: byteOrderedText("org_id").notNull(),
    startedAt: timestamptz("started_at").notNull().defaultNow(),
    finishedAt: timestamptz("finished_at"),
    /** Refreshed with every committed page, so `status` can tell a live run from a dead one. */
    heartbeatAt: timestamptz("heartbeat_at").notNull().defaultNow(),
    status: text("status").$type<RunStatus>().notNull().default("running"),
    /** How many times a later `sync` continued this run from its checkpoint. */
    resumeCount: integer("resume_count").notNull().default(0),
    /** The checkpoint: the cursor after the last committed page, null before the first page. */
    cursor: byteOrderedText("cursor"),
    scanComplete: boolean("scan_complete").notNull().default(false),
    /** Outcome of deletion detection: `applied`, `needs_review`, or `skipped: <reason>`. */
    deletionCheck: text("deletion_check"),
    allowMassDelete: boolean("allow_mass_delete").notNull().default(false),
    pages: integer("pages").notNull().default(0),
    ticketsSeen: integer("tickets_seen").notNull().default(0),
    inserted: integer("inserted").notNull().default(0),
    updated: integer("updated").notNull().default(0),
    unchanged: integer("unchanged").notNull().default(0),
    deleted: integer("deleted").notNull().default(0),
    undeleted: integer("undeleted").notNull().default(0),
    requests: integer("requests").notNull().default(0),
    retries: integer("retries").notNull().default(0),
    rateLimited: integer("rate_limited").notNull().default(0),
    skipped: integer("skipped").notNull().default(0),
    repairedStrings: integer("repaired_strings").notNull().default(0),
    unparseableDates: integer("unparseable_dates").notNull().default(0),
    coercedValues: integer("coerced_values").notNull().default(0),
    invalidValues: integer("invalid_values").notNull().default(0),
    duplicates: integer("duplicates").notNull().default(0),
    error: text("error"),
  },
  (table) => [index("sync_runs_org_started_idx").on(table.orgId, table.id)],
);

/**
 * The ticket IDs listed by each committed page of a run that is not finished yet. Deletion
 * detection reads them at the end of the scan, so a run resumed after a crash still has every
 * ticket its earlier parts listed. Rows are removed when the run finishes.
 */
export const syncRunPages = servicebay.table(
  "sync_run_pages",
  {
    runId: bigint("run_id", { mode: "number" })
      .notNull()
      .references(() => syncRuns.id, { onDelete: "cascade" }),
    page: integer("page").notNull(),
    cursorBefore: byteOrderedText("cursor_before"),
    cursorAfter: byteOrderedText("cursor_after"),
    ticketIds: text("ticket_ids").array().notNull(),
    committedAt: timestamptz("committed_at").notNull().defaultNow(),
  },
  (table) => [primaryKey({ name: "sync_run_pages_pkey", columns: [table.runId, table.page] })],
);
