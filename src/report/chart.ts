import type { DurationGroup } from "./durations.js";
import { groupLabel, roundHours } from "./format.js";
import type { Grouping } from "./options.js";

/** Escapes text for HTML and SVG content and for attribute values in double quotes. */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

const HEIGHT = 340;
const MARGIN = { top: 36, right: 16, bottom: 96, left: 64 };
const SLOT_WIDTH = 48;
const MIN_PLOT_WIDTH = 360;
const BAR_FRACTION = 0.6;
/** Longer labels are cut with an ellipsis under the axis; the tooltip and the table keep them whole. */
const MAX_LABEL_CHARS = 18;

/**
 * Renders a bar chart as inline SVG: per group, one `<g class="mark">` containing a bar for the
 * median and a tick for the 90th percentile, on a shared hour axis that starts at zero. Each
 * mark carries its values in data attributes and a `<title>` tooltip, rounded as in the table.
 */
export function renderDurationChart(groups: DurationGroup[], by: Grouping): string {
  const plotWidth = Math.max(MIN_PLOT_WIDTH, groups.length * SLOT_WIDTH);
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const width = MARGIN.left + plotWidth + MARGIN.right;

  const ticks = axisTicks(Math.max(0, ...groups.map((group) => roundHours(group.p90Hours))));
  const axisMax = ticks[ticks.length - 1] ?? 1;
  const y = (hours: number) => MARGIN.top + plotHeight - (hours / axisMax) * plotHeight;
  const slot = plotWidth / Math.max(1, groups.length);

  const parts: string[] = [];
  parts.push(
    `<svg role="img" viewBox="0 0 ${width} ${HEIGHT}" width="${width}" height="${HEIGHT}" aria-labelledby="chart-title">`,
    `<title id="chart-title">Median and 90th percentile of closed-job durations in hours by ${escapeHtml(by)}</title>`,
  );

  for (const tick of ticks) {
    const tickY = format(y(tick));
    parts.push(
      `<line class="grid" x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${tickY}" y2="${tickY}"/>`,
      `<text class="axis" x="${MARGIN.left - 8}" y="${tickY}" text-anchor="end" dominant-baseline="middle">${tick} h</text>`,
    );
  }

  groups.forEach((group, index) => {
    const median = roundHours(group.medianHours);
    const p90 = roundHours(group.p90Hours);
    const label = groupLabel(group.group, by);
    const center = MARGIN.left + slot * (index + 0.5);
    const barWidth = Math.min(SLOT_WIDTH, slot) * BAR_FRACTION;
    const left = center - barWidth / 2;
    const tooltip = `${label}: median ${median.toFixed(2)} h, p90 ${p90.toFixed(2)} h, ${group.count} jobs`;

    parts.push(
      `<g class="mark" data-group="${escapeHtml(label)}" data-median-hours="${median}" data-p90-hours="${p90}" data-count="${group.count}">`,
      `<title>${escapeHtml(tooltip)}</title>`,
      `<rect class="median" x="${format(left)}" y="${format(y(median))}" width="${format(barWidth)}" height="${format(y(0) - y(median))}"/>`,
      `<line class="p90" x1="${format(left - 4)}" x2="${format(left + barWidth + 4)}" y1="${format(y(p90))}" y2="${format(y(p90))}"/>`,
      `</g>`,
      `<text class="label" transform="translate(${format(center)} ${format(y(0) + 12)}) rotate(-45)" text-anchor="end">${escapeHtml(shorten(label))}</text>`,
    );
  });

  parts.push(
    `<line class="axis-line" x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${format(y(0))}" y2="${format(y(0))}"/>`,
    `<rect class="median" x="${MARGIN.left}" y="10" width="12" height="12"/>`,
    `<text class="legend" x="${MARGIN.left + 18}" y="20">median</text>`,
    `<line class="p90" x1="${MARGIN.left + 90}" x2="${MARGIN.left + 110}" y1="16" y2="16"/>`,
    `<text class="legend" x="${MARGIN.left + 116}" y="20">90th percentile</text>`,
    `</svg>`,
  );
  return parts.join("\n");
}

/**
 * Picks about five round axis steps (1, 2 or 5 times a power of ten) from zero up to the first
 * step at or above `max`.
 */
export function axisTicks(max: number): number[] {
  if (max <= 0) return [0, 1];

  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough) ?? 10 * power);
  const ticks: number[] = [];
  for (let index = 0; ticks.length === 0 || (ticks[ticks.length - 1] ?? 0) < max; index++) {
    ticks.push(Number((index * step).toPrecision(12)));
  }
  return ticks;
}

function shorten(label: string): string {
  return label.length > MAX_LABEL_CHARS ? `${label.slice(0, MAX_LABEL_CHARS - 1)}…` : label;
}

/** Writes coordinates with at most 2 decimal places, which is finer than a pixel. */
function format(value: number): string {
  return String(Math.round(value * 100) / 100);
}
