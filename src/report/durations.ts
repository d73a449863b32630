import type pg from "pg";

import { dayStart, type DayRange, type Grouping } from "./options.js";

/** Duration statistics of one group of closed tickets, in hours, unrounded. */
export interface DurationGroup {
  /** Week start (Monday, YYYY-MM-DD), month (YYYY-MM), or the technician, location or status; null when the ticket has none. */
  group: string | null;
  count: number;
  medianHours: number;
  p90Hours: number;
  meanHours: number;
  maxHours: number;
}

export interface DurationQuery {
  by: Grouping;
  range: DayRange;
  /** Only this organisation; null reports every organisation in the database. */
  orgId: string | null;
}

/**
 * The group key of each grouping. Weeks start on Monday and both weeks and months are cut in
 * UTC, whatever the session time zone, so a report is the same on every machine.
 */
const GROUP_KEYS: Record<Grouping, string> = {
  week: `to_char(date_trunc('week', d.closed_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`,
  month: `to_char(d.closed_at AT TIME ZONE 'UTC', 'YYYY-MM')`,
  technician: "d.assigned_technician",
  location: "d.service_location",
  status: "d.status",
};

function durationStatsSql(by: Grouping): string {
  return `
    SELECT ${GROUP_KEYS[by]} AS group_key,
           count(*)::int AS count,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY d.duration_hours) AS median_hours,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY d.duration_hours) AS p90_hours,
           avg(d.duration_hours) AS mean_hours,
           max(d.duration_hours) AS max_hours
    FROM servicebay.closed_ticket_durations d
    WHERE d.closed_at >= $1::timestamptz
      AND d.closed_at < $2::timestamptz
      AND ($3::text IS NULL OR d.org_id = $3::text)
    GROUP BY 1
    ORDER BY ${GROUP_KEYS[by]} COLLATE "C" NULLS LAST`;
}

interface DurationStatsRow {
  group_key: string | null;
  count: number;
  median_hours: number;
  p90_hours: number;
  mean_hours: number;
  max_hours: number;
}

/**
 * Computes count, median, 90th percentile, mean and maximum of the closed-ticket durations per
 * group, for tickets whose final close falls in the range. Percentiles interpolate between
 * neighbouring values (`percentile_cont`). Groups without closed tickets are not returned.
 */
export async function queryDurationStats(db: pg.Pool | pg.ClientBase, query: DurationQuery): Promise<DurationGroup[]> {
  const values = [dayStart(query.range.since), dayStart(query.range.until), query.orgId];
  const result = await db.query<DurationStatsRow>(durationStatsSql(query.by), values);

  return result.rows.map((row) => ({
    group: row.group_key,
    count: row.count,
    medianHours: row.median_hours,
    p90Hours: row.p90_hours,
    meanHours: row.mean_hours,
    maxHours: row.max_hours,
  }));
}
