import type { ParsedTicket } from "../servicebay/types.js";

/**
 * The typed ticket columns in SQL, with their types, in the order the write statements use.
 * `servicebay.tickets` and `servicebay.ticket_versions` both have all of them.
 */
export const TYPED_COLUMNS = [
  ["ticket_number", "bigint"],
  ["status", "text"],
  ["created_at", "timestamptz"],
  ["closed_at", "timestamptz"],
  ["customer_id", "text"],
  ["customer_name", "text"],
  ["customer_email", "text"],
  ["customer_phone", "text"],
  ["customer_device_name", "text"],
  ["customer_device_type", "text"],
  ["device_id", "text"],
  ["assigned_technician", "text"],
  ["service_required", "text"],
  ["service_notes", "text"],
  ["service_time", "timestamptz"],
  ["end_time", "timestamptz"],
  ["service_address", "text"],
  ["service_location", "text"],
  ["warranty_repair", "boolean"],
  ["alternative_customer_address", "boolean"],
  ["additional_items", "jsonb"],
  ["message_rooms", "jsonb"],
] as const;

export const TYPED_COLUMN_NAMES = TYPED_COLUMNS.map(([name]) => name);

/** Every column holding the ticket's content: the typed columns, `raw` and `payload_hash`. */
export const CONTENT_COLUMN_NAMES = [...TYPED_COLUMN_NAMES, "raw", "payload_hash"];

/** Converts a ticket and its payload hash to the record `jsonb_to_recordset` reads, keyed by column name. */
export function toColumnRecord(ticket: ParsedTicket, payloadHash: string): Record<string, unknown> {
  return {
    id: ticket.id,
    payload_hash: payloadHash,
    ticket_number: ticket.ticketNumber,
    status: ticket.status,
    created_at: ticket.createdAt,
    closed_at: ticket.closedAt,
    customer_id: ticket.customerId,
    customer_name: ticket.customerName,
    customer_email: ticket.customerEmail,
    customer_phone: ticket.customerPhone,
    customer_device_name: ticket.customerDeviceName,
    customer_device_type: ticket.customerDeviceType,
    device_id: ticket.deviceId,
    assigned_technician: ticket.assignedTechnician,
    service_required: ticket.serviceRequired,
    service_notes: ticket.serviceNotes,
    service_time: ticket.serviceTime,
    end_time: ticket.endTime,
    service_address: ticket.serviceAddress,
    service_location: ticket.serviceLocation,
    warranty_repair: ticket.warrantyRepair,
    alternative_customer_address: ticket.alternativeCustomerAddress,
    additional_items: ticket.additionalItems,
    message_rooms: ticket.messageRooms,
    raw: ticket.raw,
  };
}
