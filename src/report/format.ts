import type { DurationGroup } from "./durations.js";
import type { DayRange, Grouping } from "./options.js";

/** The grouping, day range and organisation of a report, shown in titles and the empty-range message. */
export interface ReportScope {
  by: Grouping;
  range: DayRange;
  orgId: string | null;
}

/** The statistic columns after the group column, in output order, with their CSV and JSON names. */
export const STAT_COLUMNS = [
  ["count", (group: DurationGroup) => group.count],
  ["median_hours", (group: DurationGroup) => roundHours(group.medianHours)],
  ["p90_hours", (group: DurationGroup) => roundHours(group.p90Hours)],
  ["mean_hours", (group: DurationGroup) => roundHours(group.meanHours)],
  ["max_hours", (group: DurationGroup) => roundHours(group.maxHours)],
] as const;

/** Rounds hours to 2 decimal places (36 seconds), the precision every output format shows. */
export function roundHours(hours: number): number {
  return Math.round(hours * 100) / 100;
}

/** Returns the statistic cells of a group as text: the count as is, hours with 2 decimal places. */
export function statTexts(group: DurationGroup): string[] {
  return STAT_COLUMNS.map(([name, value]) => (name === "count" ? String(value(group)) : value(group).toFixed(2)));
}

/** Returns the label of a group for people, with a placeholder for a missing technician, location or status. */
export function groupLabel(group: string | null, by: Grouping): string {
  if (group !== null) return group;
  return by === "technician" ? "(unassigned)" : "(none)";
}

export function describeScope(scope: ReportScope): string {
  const organisations = scope.orgId === null ? "all organisations" : `organisation ${scope.orgId}`;
  return `Closed-job durations in hours by ${scope.by}, closed from ${scope.range.since} up to (not including) ${scope.range.until}, ${organisations}`;
}

export function emptyRangeMessage(scope: ReportScope): string {
  const organisation = scope.orgId === null ? "" : ` (organisation ${scope.orgId})`;
  return `No closed jobs between ${scope.range.since} and ${scope.range.until}${organisation}.`;
}

/**
 * Formats an aligned table for a terminal, one line per group after a title and a header: the
 * group column is left-aligned and the numbers right-aligned with 2 decimal places.
 */
export function formatTable(groups: DurationGroup[], scope: ReportScope): string {
  const header = [scope.by, ...STAT_COLUMNS.map(([name]) => name)];
  const rows = groups.map((group) => [groupLabel(group.group, scope.by), ...statTexts(group)]);

  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join("  ").trimEnd();

  return [describeScope(scope), "", line(header), ...rows.map(line)].join("\n") + "\n";
}

/**
 * Formats CSV as RFC 4180 describes it: CRLF line ends, a header line, and fields quoted when they
 * contain a comma, a double quote, CR or LF, with double quotes doubled. A missing technician,
 * location or status is an empty field.
 */
export function formatCsv(groups: DurationGroup[], scope: ReportScope): string {
  const header = [scope.by, ...STAT_COLUMNS.map(([name]) => name)];
  const rows = groups.map((group) => [group.group ?? "", ...STAT_COLUMNS.map(([, value]) => String(value(group)))]);
  return [header, ...rows].map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Formats a JSON array with one object per group; a missing group value is null. */
export function formatJson(groups: DurationGroup[], scope: ReportScope): string {
  const objects = groups.map((group) => {
    const object: Record<string, string | number | null> = { [scope.by]: group.group };
    for (const [name, value] of STAT_COLUMNS) object[name] = value(group);
    return object;
  });
  return JSON.stringify(objects, null, 2) + "\n";
}
