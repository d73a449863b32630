/**
 * Preloaded into a benchmarked child process with `node --import`: at exit, writes the process's
 * peak resident set size to the file named by BENCH_PEAK_RSS_FILE, so the benchmark can read it
 * after the process ended.
 */
import { writeFileSync } from "node:fs";

const target = process.env.BENCH_PEAK_RSS_FILE;
if (target) {
  process.on("exit", () => {
    // resourceUsage().maxRSS is getrusage's ru_maxrss: kilobytes on Linux.
    writeFileSync(target, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }));
  });
}
