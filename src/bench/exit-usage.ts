/**
 * Preloaded into a benchmarked child process with `node --import`: at exit, writes the process's
 * peak resident set size and CPU time to the file named by BENCH_USAGE_FILE, so the benchmark can
 * read them after the process ended.
 */
import { writeFileSync } from "node:fs";

const target = process.env.BENCH_USAGE_FILE;
if (target) {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    // maxRSS is getrusage's ru_maxrss (kilobytes on Linux), and the CPU times are in microseconds.
    writeFileSync(target, JSON.stringify({ maxRssKb: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }));
  });
}
