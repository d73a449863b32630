import type { ParsedTicket } from "../servicebay/types.js";

type ColumnType = "bigint" | "text" | "timestamptz" | "boolean" | "jsonb";

/** A typed ticket column: its SQL name and type, and how its value is read from a parsed ticket. */
export interface TypedColumn {
  name: string;
  type: ColumnType;
  value: (ticket: ParsedTicket) => unknown;
}

/**
 * The typed ticket columns, in the order the write statements use.
 * `servicebay.tickets` and `servicebay.ticket_versions` both have all of them.
 */
export const TYPED_COLUMNS: readonly TypedColumn[] = [
  { name: "ticket_number", type: "bigint", value: (ticket) => ticket.ticketNumber },
  { name: "status", type: "text", value: (ticket) => ticket.status },
  { name: "created_at", type: "timestamptz", value: (ticket) => ticket.createdAt },
  { name: "closed_at", type: "timestamptz", value: (ticket) => ticket.closedAt },
  { name: "customer_id", type: "text", value: (ticket) => ticket.customerId },
  { name: "customer_name", type: "text", value: (ticket) => ticket.customerName },
  { name: "customer_email", type: "text", value: (ticket) => ticket.customerEmail },
  { name: "customer_phone", type: "text", value: (ticket) => ticket.customerPhone },
  { name: "customer_device_name", type: "text", value: (ticket) => ticket.customerDeviceName },
  { name: "customer_device_type", type: "text", value: (ticket) => ticket.customerDeviceType },
  { name: "device_id", type: "text", value: (ticket) => ticket.deviceId },
  { name: "assigned_technician", type: "text", value: (ticket) => ticket.assignedTechnician },
  { name: "service_required", type: "text", value: (ticket) => ticket.serviceRequired },
  { name: "service_notes", type: "text", value: (ticket) => ticket.serviceNotes },
  { name: "service_time", type: "timestamptz", value: (ticket) => ticket.serviceTime },
  { name: "end_time", type: "timestamptz", value: (ticket) => ticket.endTime },
  { name: "service_address", type: "text", value: (ticket) => ticket.serviceAddress },
  { name: "service_location", type: "text", value: (ticket) => ticket.serviceLocation },
  { name: "warranty_repair", type: "boolean", value: (ticket) => ticket.warrantyRepair },
  { name: "alternative_customer_address", type: "boolean", value: (ticket) => ticket.alternativeCustomerAddress },
  { name: "additional_items", type: "jsonb", value: (ticket) => ticket.additionalItems },
  { name: "message_rooms", type: "jsonb", value: (ticket) => ticket.messageRooms },
];

export const TYPED_COLUMN_NAMES = TYPED_COLUMNS.map((column) => column.name);

/** Every column holding the ticket's content: the typed columns, `raw` and `payload_hash`. */
export const CONTENT_COLUMN_NAMES = [...TYPED_COLUMN_NAMES, "raw", "payload_hash"];

/**
 * Converts a ticket to the JSON array the page statement reads: the ID, the payload hash, the
 * typed columns in TYPED_COLUMNS order, then `raw`. An array rather than an object keyed by
 * column name, because the keys made up about a fifth of the text PostgreSQL had to parse.
 */
export function toColumnValues(ticket: ParsedTicket, payloadHash: string): unknown[] {
  const values: unknown[] = [ticket.id, payloadHash];
  for (const column of TYPED_COLUMNS) values.push(column.value(ticket));
  values.push(ticket.raw);
  return values;
}

/**
 * Returns the select list that reads one array toColumnValues wrote, named `element` in the
 * query, as the columns `id`, `payload_hash`, the typed columns and `raw`. A JSON null becomes SQL NULL.
 */
export function columnValuesSelect(element: string): string {
  const typed = TYPED_COLUMNS.map((column, index) => {
    const position = index + 2;
    if (column.type === "text") return `${element} ->> ${position} AS ${column.name}`;
    if (column.type === "jsonb") return `NULLIF(${element} -> ${position}, 'null'::jsonb) AS ${column.name}`;
    return `(${element} ->> ${position})::${column.type} AS ${column.name}`;
  });
  const rawPosition = TYPED_COLUMNS.length + 2;
  return [`${element} ->> 0 AS id`, `${element} ->> 1 AS payload_hash`, ...typed, `${element} -> ${rawPosition} AS raw`].join(",\n    ");
}
