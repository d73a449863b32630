/** Summarises a V8 CPU profile (`node --cpu-prof`) by self time, to show where a run's time goes. */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Self time per area (idle, garbage collection, pg, undici, pino, this project's code, ...), largest first. */
  areas: { area: string; ms: number; share: number }[];
  /** The functions with the most self time, largest first. */
  functions: { name: string; area: string; ms: number; share: number }[];
}

/** Reads a `.cpuprofile` file and sums the sampled time of each function and area. */
export function summariseCpuProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, { area: string; us: number }>();
  const byArea = new Map<string, number>();

  profile.samples.forEach((nodeId, index) => {
    const node = nodes.get(nodeId);
    if (!node) return;
    const us = profile.timeDeltas[index] ?? 0;
    const area = areaOf(node.callFrame);
    const name = `${node.callFrame.functionName || "(anonymous)"} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
    const entry = byFunction.get(name) ?? { area, us: 0 };
    entry.us += us;
    byFunction.set(name, entry);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  });

  const totalUs = profile.endTime - profile.startTime;
  const share = (us: number): number => Math.round((us / totalUs) * 1000) / 10;
  return {
    totalMs: Math.round(totalUs / 1000),
    areas: [...byArea].sort((a, b) => b[1] - a[1]).map(([area, us]) => ({ area, ms: Math.round(us / 1000), share: share(us) })),
    functions: [...byFunction]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, top)
      .map(([name, entry]) => ({ name, area: entry.area, ms: Math.round(entry.us / 1000), share: share(entry.us) })),
  };
}

function areaOf(frame: ProfileNode["callFrame"]): string {
  const { functionName, url } = frame;
  if (functionName === "(idle)") return "idle (waiting for network or database)";
  if (functionName === "(garbage collector)") return "garbage collection";
  if (functionName === "(program)" || url === "") return "V8 and native code";
  if (url.includes("/node_modules/pg") || url.includes("/node_modules/pg-protocol")) return "pg (PostgreSQL client)";
  if (url.includes("undici")) return "undici (fetch)";
  if (url.includes("/node_modules/pino") || url.includes("sonic-boom")) return "pino (logging)";
  if (url.includes("/node_modules/")) return "other dependencies";
  if (url.startsWith("node:")) return "Node.js internals";
  if (url.includes("/dist/servicebay/")) return "servicebay-sync: API client and parsing";
  if (url.includes("/dist/db/")) return "servicebay-sync: database queries";
  if (url.includes("/dist/")) return "servicebay-sync: other";
  return "other";
}

function shortUrl(url: string): string {
  const distIndex = url.indexOf("/dist/");
  if (distIndex >= 0) return url.slice(distIndex + 1);
  const modulesIndex = url.lastIndexOf("/node_modules/");
  return modulesIndex >= 0 ? url.slice(modulesIndex + "/node_modules/".length) : url;
}
