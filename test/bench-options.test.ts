import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

import { describe, expect, test } from "vitest";

const BENCH = fileURLToPath(new URL("../dist/bench/run.js", import.meta.url));

/** Runs the built benchmark with options that fail or finish before it starts anything. */
function bench(args: string[]) {
  const result = spawnSync(process.execPath, [BENCH, ...args], { encoding: "utf8", timeout: 30_000 });
  return { code: result.status, output: result.stdout + result.stderr };
}

describe("benchmark options", () => {
  test("help lists the options", () => {
    const result = bench(["--help"]);

    expect(result.code).toBe(0);
    expect(result.output).toContain("--scenarios a,b");
  });

  test("re-sync without initial is rejected", () => {
    const result = bench(["--scenarios", "fetch-only,no-change"]);

    expect(result.code).toBe(2);
    expect(result.output).toContain("no-change needs initial in the same run");
  });

  test("unknown option exits with 2", () => {
    const result = bench(["--bogus"]);

    expect(result.code).toBe(2);
    expect(result.output).toContain("Unknown option '--bogus'");
  });
});
