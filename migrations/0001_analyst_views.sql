CREATE VIEW "servicebay"."current_tickets" AS
SELECT
  t.org_id,
  t.id,
  t.ticket_number,
  t.status,
  t.created_at,
  t.closed_at,
  t.customer_id,
  t.customer_name,
  t.customer_email,
  t.customer_phone,
  t.customer_device_name,
  t.customer_device_type,
  t.device_id,
  t.assigned_technician,
  t.service_required,
  t.service_notes,
  t.service_time,
  t.end_time,
  t.service_address,
  t.service_location,
  t.warranty_repair,
  t.alternative_customer_address,
  t.additional_items,
  t.message_rooms,
  t.raw,
  t.payload_hash,
  t.version,
  t.first_seen_at,
  t.last_changed_at,
  t.last_sync_run_id
FROM "servicebay"."tickets" t
WHERE t.deleted_at IS NULL;
--> statement-breakpoint
CREATE VIEW "servicebay"."deleted_tickets" AS
SELECT
  t.org_id,
  t.id,
  t.ticket_number,
  t.status,
  t.created_at,
  t.closed_at,
  t.customer_id,
  t.customer_name,
  t.customer_email,
  t.customer_phone,
  t.customer_device_name,
  t.customer_device_type,
  t.device_id,
  t.assigned_technician,
  t.service_required,
  t.service_notes,
  t.service_time,
  t.end_time,
  t.service_address,
  t.service_location,
  t.warranty_repair,
  t.alternative_customer_address,
  t.additional_items,
  t.message_rooms,
  t.raw,
  t.payload_hash,
  t.version,
  t.first_seen_at,
  t.last_changed_at,
  t.deleted_at,
  t.last_sync_run_id
FROM "servicebay"."tickets" t
WHERE t.deleted_at IS NOT NULL;
--> statement-breakpoint
-- Tombstones repeat the last listed status, so they are left out: a ticket deleted as Open and
-- listed again as Closed shows one change, Open to Closed, at the time it reappeared.
-- NOTE: changed_at is when a sync run observed the new status, not when it changed in
-- Servicebay, and two changes between the same two runs appear as at most one row.
CREATE VIEW "servicebay"."ticket_status_changes" AS
SELECT s.org_id, s.id, s.ticket_number, s.version, s.from_status, s.to_status, s.changed_at, s.sync_run_id
FROM (
  SELECT
    v.org_id,
    v.id,
    v.ticket_number,
    v.version,
    lag(v.version) OVER w AS previous_version,
    lag(v.status) OVER w AS from_status,
    v.status AS to_status,
    v.valid_from AS changed_at,
    v.sync_run_id
  FROM "servicebay"."ticket_versions" v
  WHERE NOT v.is_deleted
  WINDOW w AS (PARTITION BY v.org_id, v.id ORDER BY v.version)
) s
WHERE s.previous_version IS NOT NULL
  AND s.from_status IS DISTINCT FROM s.to_status;
--> statement-breakpoint
-- A ticket counts as closed when its status is 'closed' in any letter case. The final close is the
-- first version of the trailing run of closed versions, so a ticket closed, reopened and closed
-- again is counted once, with its last close.
-- NOTE: an observed close of a ticket that was already closed at its first sync is the time of
-- that sync, so its duration is longer than the real one.
CREATE VIEW "servicebay"."closed_ticket_durations" AS
SELECT
  c.org_id,
  c.id,
  c.ticket_number,
  c.status,
  c.created_at,
  c.closed_at,
  c.closed_at_source,
  extract(epoch FROM c.closed_at - c.created_at)::double precision AS duration_seconds,
  extract(epoch FROM c.closed_at - c.created_at)::double precision / 3600 AS duration_hours,
  c.assigned_technician,
  c.service_location,
  c.warranty_repair,
  c.reopened
FROM (
  SELECT
    t.org_id,
    t.id,
    t.ticket_number,
    t.status,
    t.created_at,
    coalesce(t.closed_at, h.observed_closed_at) AS closed_at,
    CASE WHEN t.closed_at IS NOT NULL THEN 'api' ELSE 'observed' END AS closed_at_source,
    t.assigned_technician,
    t.service_location,
    t.warranty_repair,
    coalesce(h.last_open_version > h.first_closed_version OR h.api_close_times > 1, false) AS reopened
  FROM "servicebay"."tickets" t
  LEFT JOIN LATERAL (
    SELECT
      min(x.version) FILTER (WHERE x.is_closed) AS first_closed_version,
      max(x.version) FILTER (WHERE NOT x.is_closed) AS last_open_version,
      count(DISTINCT x.closed_at) FILTER (WHERE x.is_closed) AS api_close_times,
      min(x.valid_from) FILTER (WHERE x.is_closed AND x.version > coalesce(x.last_open_version, 0)) AS observed_closed_at
    FROM (
      SELECT
        v.version,
        v.valid_from,
        v.closed_at,
        coalesce(lower(v.status) = 'closed', false) AS is_closed,
        max(v.version) FILTER (WHERE coalesce(lower(v.status) <> 'closed', true)) OVER () AS last_open_version
      FROM "servicebay"."ticket_versions" v
      WHERE v.org_id = t.org_id AND v.id = t.id AND NOT v.is_deleted
    ) x
  ) h ON true
  WHERE t.deleted_at IS NULL
    AND lower(t.status) = 'closed'
) c
WHERE c.created_at IS NOT NULL
  AND c.closed_at IS NOT NULL
  AND c.closed_at >= c.created_at;
--> statement-breakpoint
COMMENT ON TABLE "servicebay"."tickets" IS 'Current state of every Servicebay job (ticket) ever listed, one row per ticket, deleted ones included (deleted_at set). Written by the sync worker only.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."org_id" IS 'Servicebay organisation ID that owns the ticket, as used in API paths.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."id" IS 'Servicebay ticket ID (API field id), unique within the organisation. Compared byte by byte (COLLATE "C"), which is the API''s list order.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."ticket_number" IS 'Job number shown to Servicebay users (API field ticketId).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."status" IS 'Job status as the API sent it (API field status). Free text, such as Open, In Progress or Closed.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."created_at" IS 'When the job was created in Servicebay (API field timestamp), timestamp with time zone. Null when missing or unparseable.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."closed_at" IS 'When Servicebay recorded the job as closed (API field ticketClosedTimestamp), timestamp with time zone. Null when the API sent none.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."customer_id" IS 'Servicebay customer ID (API field customerId).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."customer_name" IS 'Customer name (API field customerName).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."customer_email" IS 'Customer email address (API field customerEmail).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."customer_phone" IS 'Customer phone number as entered in Servicebay (API field customerPhone).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."customer_device_name" IS 'Name of the customer''s device (API field customerDeviceName).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."customer_device_type" IS 'Type of the customer''s device (API field customerDeviceType).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."device_id" IS 'Servicebay device ID (API field deviceId).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."assigned_technician" IS 'Technician assigned to the job, as the API identifies them (API field assignedTechnician). Null when unassigned.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."service_required" IS 'Service the customer requested (API field serviceRequired).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."service_notes" IS 'Free-text notes on the service (API field serviceNotes).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."service_time" IS 'Scheduled start of the service (API field serviceTime), timestamp with time zone.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."end_time" IS 'Scheduled end of the service (API field endTime), timestamp with time zone.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."service_address" IS 'Address where the service takes place (API field serviceAddress).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."service_location" IS 'Where the service takes place (API field serviceLocation), such as instore, offsite or remote.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."warranty_repair" IS 'True when the job is a warranty repair (API field warrantyRepair).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."alternative_customer_address" IS 'True when the service address is not the customer''s usual address (API field alternativeCustomerAddress).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."additional_items" IS 'Extra items of the job as JSON, stored as received (API field additionalItems, whose shape the API does not document).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."message_rooms" IS 'Message rooms of the job as JSON, stored as received (API field messageRooms, whose shape the API does not document).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."raw" IS 'The whole ticket payload as received, as JSON, including fields that have no typed column. Strings PostgreSQL cannot store (U+0000, unpaired surrogates) are repaired.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."payload_hash" IS 'md5 of raw::text as 32 hex digits. jsonb text output is normalised, so equal payloads hash equally. A new version is written only when this hash changes.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."version" IS 'Number of the ticket''s latest version in ticket_versions (1, 2, ...).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."first_seen_at" IS 'When a sync run first stored the ticket, timestamp with time zone. Observation time, not the creation time in Servicebay (see created_at).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."last_changed_at" IS 'When a sync run last observed a change, a deletion or a reappearance of the ticket, timestamp with time zone. Observation time, because the API exposes no update time.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."deleted_at" IS 'When a complete scan first did not list the ticket (soft delete), timestamp with time zone. Null while the API lists it. The deletion in Servicebay happened at some point after the previous complete scan.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."tickets"."last_sync_run_id" IS 'sync_runs.id of the run that last wrote this row.';
--> statement-breakpoint
COMMENT ON TABLE "servicebay"."ticket_versions" IS 'Every observed version of every ticket (slowly changing dimension, type 2): one row per change, tombstone or reappearance, valid from valid_from until valid_to. Timestamps are observation times, because the API exposes no update time.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."org_id" IS 'Servicebay organisation ID that owns the ticket, as used in API paths.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."id" IS 'Servicebay ticket ID (API field id), unique within the organisation. Compared byte by byte (COLLATE "C"), which is the API''s list order.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."ticket_number" IS 'Job number shown to Servicebay users (API field ticketId).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."status" IS 'Job status as the API sent it (API field status). Free text, such as Open, In Progress or Closed.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."created_at" IS 'When the job was created in Servicebay (API field timestamp), timestamp with time zone. Null when missing or unparseable.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."closed_at" IS 'When Servicebay recorded the job as closed (API field ticketClosedTimestamp), timestamp with time zone. Null when the API sent none.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."customer_id" IS 'Servicebay customer ID (API field customerId).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."customer_name" IS 'Customer name (API field customerName).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."customer_email" IS 'Customer email address (API field customerEmail).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."customer_phone" IS 'Customer phone number as entered in Servicebay (API field customerPhone).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."customer_device_name" IS 'Name of the customer''s device (API field customerDeviceName).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."customer_device_type" IS 'Type of the customer''s device (API field customerDeviceType).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."device_id" IS 'Servicebay device ID (API field deviceId).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."assigned_technician" IS 'Technician assigned to the job, as the API identifies them (API field assignedTechnician). Null when unassigned.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."service_required" IS 'Service the customer requested (API field serviceRequired).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."service_notes" IS 'Free-text notes on the service (API field serviceNotes).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."service_time" IS 'Scheduled start of the service (API field serviceTime), timestamp with time zone.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."end_time" IS 'Scheduled end of the service (API field endTime), timestamp with time zone.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."service_address" IS 'Address where the service takes place (API field serviceAddress).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."service_location" IS 'Where the service takes place (API field serviceLocation), such as instore, offsite or remote.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."warranty_repair" IS 'True when the job is a warranty repair (API field warrantyRepair).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."alternative_customer_address" IS 'True when the service address is not the customer''s usual address (API field alternativeCustomerAddress).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."additional_items" IS 'Extra items of the job as JSON, stored as received (API field additionalItems, whose shape the API does not document).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."message_rooms" IS 'Message rooms of the job as JSON, stored as received (API field messageRooms, whose shape the API does not document).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."raw" IS 'The whole ticket payload as received, as JSON, including fields that have no typed column. Strings PostgreSQL cannot store (U+0000, unpaired surrogates) are repaired.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."payload_hash" IS 'md5 of raw::text as 32 hex digits. jsonb text output is normalised, so equal payloads hash equally. A new version is written only when this hash changes.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."version" IS 'Version number within the ticket: 1 for the first observation, one more for each observed change, deletion or reappearance.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."valid_from" IS 'When a sync run observed this version (the start of the transaction that wrote the page), timestamp with time zone. Equals valid_to of the previous version. Observation time, because the API exposes no update time.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."valid_to" IS 'When the next version was observed, timestamp with time zone. Null for the current version.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."is_deleted" IS 'True for the tombstone written when the ticket was soft-deleted. Its content columns repeat the last listed state.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_versions"."sync_run_id" IS 'sync_runs.id of the run that observed this version.';
--> statement-breakpoint
COMMENT ON TABLE "servicebay"."sync_runs" IS 'One row per sync run of an organisation: its status, checkpoint, counters and error.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."id" IS 'Sync run ID, increasing.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."org_id" IS 'Servicebay organisation ID the run synced.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."started_at" IS 'When the run started, timestamp with time zone.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."finished_at" IS 'When the run ended, timestamp with time zone. Null while it runs or after it was killed.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."heartbeat_at" IS 'When the run last committed a page or updated its row, timestamp with time zone.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."status" IS 'How the run ended: running, succeeded, failed, interrupted, abandoned or needs_review.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."resume_count" IS 'How many times a later sync continued this run from its checkpoint.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."cursor" IS 'Checkpoint: the list cursor after the last committed page. Null before the first page.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."scan_complete" IS 'True once the last page of the list was committed.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."deletion_check" IS 'Outcome of deletion detection: applied, needs_review, or skipped with the reason. Null before the scan completed.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."allow_mass_delete" IS 'True when the run was started with --allow-mass-delete.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."pages" IS 'Number of list pages committed.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."tickets_seen" IS 'Number of tickets the committed pages listed, duplicates included.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."inserted" IS 'Number of tickets stored for the first time.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."updated" IS 'Number of tickets whose payload changed (a new version each).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."unchanged" IS 'Number of listed tickets whose payload hash had not changed (nothing written).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."deleted" IS 'Number of tickets soft-deleted by this run.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."undeleted" IS 'Number of previously deleted tickets listed again.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."requests" IS 'Number of HTTP requests sent to the Servicebay API.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."retries" IS 'Number of HTTP requests that were retried.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."rate_limited" IS 'Number of responses with HTTP 429 (rate limited).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."skipped" IS 'Number of listed records dropped because they had no usable id.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."repaired_strings" IS 'Number of strings in which characters PostgreSQL cannot store were replaced.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."unparseable_dates" IS 'Number of date-time fields that could not be read (typed column left null, raw keeps the value).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."coerced_values" IS 'Number of values of the wrong type converted to the documented type.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."invalid_values" IS 'Number of values of the wrong type that could not be converted (typed column left null, raw keeps the value).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."duplicates" IS 'Number of tickets listed more than once on one page (the last occurrence is kept).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_runs"."error" IS 'Why the run failed, was interrupted or needs review, with secrets removed. Null on success.';
--> statement-breakpoint
COMMENT ON TABLE "servicebay"."sync_run_pages" IS 'Ticket IDs listed by each committed page of an unfinished sync run, for deletion detection. Rows are removed when the run finishes.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_run_pages"."run_id" IS 'sync_runs.id of the run that committed the page.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_run_pages"."page" IS 'Page number within the run, from 1.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_run_pages"."cursor_before" IS 'List cursor the page was requested with. Null for the first page.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_run_pages"."cursor_after" IS 'List cursor the page returned for the next page. Null on the last page.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_run_pages"."ticket_ids" IS 'IDs of the tickets the page listed, read by deletion detection.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."sync_run_pages"."committed_at" IS 'When the page was committed, timestamp with time zone.';
--> statement-breakpoint
COMMENT ON VIEW "servicebay"."current_tickets" IS 'Tickets the API still lists: servicebay.tickets without the soft-deleted ones.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."org_id" IS 'Servicebay organisation ID that owns the ticket, as used in API paths.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."id" IS 'Servicebay ticket ID (API field id), unique within the organisation. Compared byte by byte (COLLATE "C"), which is the API''s list order.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."ticket_number" IS 'Job number shown to Servicebay users (API field ticketId).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."status" IS 'Job status as the API sent it (API field status). Free text, such as Open, In Progress or Closed.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."created_at" IS 'When the job was created in Servicebay (API field timestamp), timestamp with time zone. Null when missing or unparseable.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."closed_at" IS 'When Servicebay recorded the job as closed (API field ticketClosedTimestamp), timestamp with time zone. Null when the API sent none.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."customer_id" IS 'Servicebay customer ID (API field customerId).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."customer_name" IS 'Customer name (API field customerName).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."customer_email" IS 'Customer email address (API field customerEmail).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."customer_phone" IS 'Customer phone number as entered in Servicebay (API field customerPhone).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."customer_device_name" IS 'Name of the customer''s device (API field customerDeviceName).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."customer_device_type" IS 'Type of the customer''s device (API field customerDeviceType).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."device_id" IS 'Servicebay device ID (API field deviceId).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."assigned_technician" IS 'Technician assigned to the job, as the API identifies them (API field assignedTechnician). Null when unassigned.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."service_required" IS 'Service the customer requested (API field serviceRequired).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."service_notes" IS 'Free-text notes on the service (API field serviceNotes).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."service_time" IS 'Scheduled start of the service (API field serviceTime), timestamp with time zone.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."end_time" IS 'Scheduled end of the service (API field endTime), timestamp with time zone.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."service_address" IS 'Address where the service takes place (API field serviceAddress).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."service_location" IS 'Where the service takes place (API field serviceLocation), such as instore, offsite or remote.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."warranty_repair" IS 'True when the job is a warranty repair (API field warrantyRepair).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."alternative_customer_address" IS 'True when the service address is not the customer''s usual address (API field alternativeCustomerAddress).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."additional_items" IS 'Extra items of the job as JSON, stored as received (API field additionalItems, whose shape the API does not document).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."message_rooms" IS 'Message rooms of the job as JSON, stored as received (API field messageRooms, whose shape the API does not document).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."raw" IS 'The whole ticket payload as received, as JSON, including fields that have no typed column. Strings PostgreSQL cannot store (U+0000, unpaired surrogates) are repaired.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."payload_hash" IS 'md5 of raw::text as 32 hex digits. jsonb text output is normalised, so equal payloads hash equally. A new version is written only when this hash changes.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."version" IS 'Number of the ticket''s latest version in ticket_versions (1, 2, ...).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."first_seen_at" IS 'When a sync run first stored the ticket, timestamp with time zone. Observation time, not the creation time in Servicebay (see created_at).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."last_changed_at" IS 'When a sync run last observed a change, a deletion or a reappearance of the ticket, timestamp with time zone. Observation time, because the API exposes no update time.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."current_tickets"."last_sync_run_id" IS 'sync_runs.id of the run that last wrote this row.';
--> statement-breakpoint
COMMENT ON VIEW "servicebay"."deleted_tickets" IS 'Soft-deleted tickets with their last listed state. A ticket is deleted once a complete scan did not list it, and leaves this view when the API lists it again.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."org_id" IS 'Servicebay organisation ID that owns the ticket, as used in API paths.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."id" IS 'Servicebay ticket ID (API field id), unique within the organisation. Compared byte by byte (COLLATE "C"), which is the API''s list order.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."ticket_number" IS 'Job number shown to Servicebay users (API field ticketId).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."status" IS 'Job status as the API sent it (API field status). Free text, such as Open, In Progress or Closed.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."created_at" IS 'When the job was created in Servicebay (API field timestamp), timestamp with time zone. Null when missing or unparseable.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."closed_at" IS 'When Servicebay recorded the job as closed (API field ticketClosedTimestamp), timestamp with time zone. Null when the API sent none.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."customer_id" IS 'Servicebay customer ID (API field customerId).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."customer_name" IS 'Customer name (API field customerName).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."customer_email" IS 'Customer email address (API field customerEmail).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."customer_phone" IS 'Customer phone number as entered in Servicebay (API field customerPhone).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."customer_device_name" IS 'Name of the customer''s device (API field customerDeviceName).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."customer_device_type" IS 'Type of the customer''s device (API field customerDeviceType).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."device_id" IS 'Servicebay device ID (API field deviceId).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."assigned_technician" IS 'Technician assigned to the job, as the API identifies them (API field assignedTechnician). Null when unassigned.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."service_required" IS 'Service the customer requested (API field serviceRequired).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."service_notes" IS 'Free-text notes on the service (API field serviceNotes).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."service_time" IS 'Scheduled start of the service (API field serviceTime), timestamp with time zone.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."end_time" IS 'Scheduled end of the service (API field endTime), timestamp with time zone.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."service_address" IS 'Address where the service takes place (API field serviceAddress).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."service_location" IS 'Where the service takes place (API field serviceLocation), such as instore, offsite or remote.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."warranty_repair" IS 'True when the job is a warranty repair (API field warrantyRepair).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."alternative_customer_address" IS 'True when the service address is not the customer''s usual address (API field alternativeCustomerAddress).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."additional_items" IS 'Extra items of the job as JSON, stored as received (API field additionalItems, whose shape the API does not document).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."message_rooms" IS 'Message rooms of the job as JSON, stored as received (API field messageRooms, whose shape the API does not document).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."raw" IS 'The whole ticket payload as received, as JSON, including fields that have no typed column. Strings PostgreSQL cannot store (U+0000, unpaired surrogates) are repaired.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."payload_hash" IS 'md5 of raw::text as 32 hex digits. jsonb text output is normalised, so equal payloads hash equally. A new version is written only when this hash changes.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."version" IS 'Number of the ticket''s latest version in ticket_versions (1, 2, ...).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."first_seen_at" IS 'When a sync run first stored the ticket, timestamp with time zone. Observation time, not the creation time in Servicebay (see created_at).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."last_changed_at" IS 'When a sync run last observed a change, a deletion or a reappearance of the ticket, timestamp with time zone. Observation time, because the API exposes no update time.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."deleted_at" IS 'When a complete scan first did not list the ticket (soft delete), timestamp with time zone. Null while the API lists it. The deletion in Servicebay happened at some point after the previous complete scan.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."deleted_tickets"."last_sync_run_id" IS 'sync_runs.id of the run that soft-deleted the ticket.';
--> statement-breakpoint
COMMENT ON VIEW "servicebay"."ticket_status_changes" IS 'One row per status transition observed in ticket history, tombstones left out. changed_at is when a sync run saw the new status, so a transition between two runs is dated to the later run.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_status_changes"."org_id" IS 'Servicebay organisation ID that owns the ticket, as used in API paths.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_status_changes"."id" IS 'Servicebay ticket ID (API field id), unique within the organisation. Compared byte by byte (COLLATE "C"), which is the API''s list order.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_status_changes"."ticket_number" IS 'Job number shown to Servicebay users (API field ticketId).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_status_changes"."version" IS 'Version (in ticket_versions) that has the new status.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_status_changes"."from_status" IS 'Status of the previous observed version. Null when that version had no status.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_status_changes"."to_status" IS 'Status of this version. Null when the API sent none.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_status_changes"."changed_at" IS 'valid_from of the version with the new status, timestamp with time zone. Observation time: the change happened in Servicebay between the previous run that listed the ticket and this one.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."ticket_status_changes"."sync_run_id" IS 'sync_runs.id of the run that observed the transition.';
--> statement-breakpoint
COMMENT ON VIEW "servicebay"."closed_ticket_durations" IS 'One row per ticket that is closed now and not deleted, with the time from creation to its final close. Tickets with no created_at, no known close time, or a close before creation are left out.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."closed_ticket_durations"."org_id" IS 'Servicebay organisation ID that owns the ticket, as used in API paths.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."closed_ticket_durations"."id" IS 'Servicebay ticket ID (API field id), unique within the organisation. Compared byte by byte (COLLATE "C"), which is the API''s list order.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."closed_ticket_durations"."ticket_number" IS 'Job number shown to Servicebay users (API field ticketId).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."closed_ticket_durations"."status" IS 'Current status, Closed in any letter case.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."closed_ticket_durations"."created_at" IS 'When the job was created in Servicebay (API field timestamp), timestamp with time zone. Null when missing or unparseable.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."closed_ticket_durations"."closed_at" IS 'Final close, timestamp with time zone: ticketClosedTimestamp from the API when present, else valid_from of the first version of the trailing run of closed versions.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."closed_ticket_durations"."closed_at_source" IS 'api when closed_at is the API''s ticketClosedTimestamp, observed when it is the time a sync run first saw the final close. An observed close of a ticket that was already closed at its first sync is the time of that sync, later than the real close.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."closed_ticket_durations"."duration_seconds" IS 'closed_at minus created_at, in seconds (double precision).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."closed_ticket_durations"."duration_hours" IS 'closed_at minus created_at, in hours (double precision).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."closed_ticket_durations"."assigned_technician" IS 'Technician assigned to the job, as the API identifies them (API field assignedTechnician). Null when unassigned.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."closed_ticket_durations"."service_location" IS 'Where the service takes place (API field serviceLocation), such as instore, offsite or remote.';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."closed_ticket_durations"."warranty_repair" IS 'True when the job is a warranty repair (API field warrantyRepair).';
--> statement-breakpoint
COMMENT ON COLUMN "servicebay"."closed_ticket_durations"."reopened" IS 'True when history shows the ticket closed before its final close: an open version after a closed one, or two different API close times.';
