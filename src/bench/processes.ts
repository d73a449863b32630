/**
 * The benchmark's child processes: the simulator, the worker and the fetch-only client each run
 * in a process of their own, so none shares another's thread and each one's peak memory can be
 * measured alone.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { DEFAULT_API_KEY, DEFAULT_ORG_ID } from "../simulator/server.js";

const CLI = fileURLToPath(new URL("../cli.js", import.meta.url));
const FETCH_ONLY = fileURLToPath(new URL("./fetch-only.js", import.meta.url));
const EXIT_USAGE = fileURLToPath(new URL("./exit-usage.js", import.meta.url));

export interface ChildRun {
  exitCode: number | null;
  /** From spawning the process to its exit, in ms. */
  wallMs: number;
  /** Peak resident set size of the process, in kB; null when it did not report one. */
  maxRssKb: number | null;
  /** User and system CPU time of the process, in ms; null when it did not report one. */
  cpuMs: number | null;
  /** Standard output split into lines. */
  lines: string[];
  stderr: string;
}

export interface RunningSimulatorProcess {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts `servicebay-sync simulator` on a free loopback port with rate limiting off and resolves
 * with its base URL once it listens.
 */
export async function startSimulatorProcess(options: { tickets: number; latencyMs: number; seed: number }): Promise<RunningSimulatorProcess> {
  const child = spawn(
    process.execPath,
    [CLI, "simulator", "--tickets", String(options.tickets), "--latency-ms", String(options.latencyMs), "--rate-limit", "0", "--seed", String(options.seed), "--port", "0"],
    { env: { ...process.env, LOG_FORMAT: "json", LOG_LEVEL: "info" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));

  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      const record = parseJsonLine(line);
      if (record?.msg === "simulator started" && typeof record.url === "string") resolve(record.url);
    });
    child.once("exit", (code) => reject(new Error(`The simulator exited with code ${code} before it listened: ${stderr.slice(0, 1000)}`)));
    child.once("error", reject);
  });

  return { url, stop: () => stopChild(child) };
}

/** Sends SIGTERM to a child this module started and resolves once it has exited. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  await exited;
}

/** Returns the environment that points the worker and the fetch-only client at the simulator. */
export function apiEnvironment(simulatorUrl: string): NodeJS.ProcessEnv {
  return { SERVICEBAY_BASE_URL: simulatorUrl, SERVICEBAY_ORG_ID: DEFAULT_ORG_ID, SERVICEBAY_API_KEY: DEFAULT_API_KEY };
}

/** Runs `servicebay-sync sync` against the simulator and database, as an operator would. */
export function runWorkerProcess(options: { simulatorUrl: string; databaseUrl: string; cpuProfileDir?: string }): Promise<ChildRun> {
  const profiling = options.cpuProfileDir ? ["--cpu-prof", "--cpu-prof-dir", options.cpuProfileDir] : [];
  return runMeasured([...profiling, CLI, "sync"], {
    ...apiEnvironment(options.simulatorUrl),
    DATABASE_URL: options.databaseUrl,
    LOG_FORMAT: "json",
    LOG_LEVEL: "info",
  });
}

/** Runs the fetch-only client against the simulator. */
export function runFetchOnlyProcess(simulatorUrl: string): Promise<ChildRun> {
  return runMeasured([FETCH_ONLY], apiEnvironment(simulatorUrl));
}

/** Runs a Node.js script with the resource usage reporter preloaded and collects its output. */
async function runMeasured(args: string[], env: NodeJS.ProcessEnv): Promise<ChildRun> {
  const folder = mkdtempSync(join(tmpdir(), "servicebay-bench-usage-"));
  const usageFile = join(folder, "exit-usage.json");
  try {
    const startedAt = performance.now();
    const child = spawn(process.execPath, ["--import", EXIT_USAGE, ...args], {
      // The given variables override the parent's, so the worker writes to the benchmark database even when DATABASE_URL names another.
      env: { ...process.env, ...env, BENCH_USAGE_FILE: usageFile },
      stdio: ["ignore", "pipe", "pipe"],
    });

    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (code) => resolve(code));
    });
    const wallMs = performance.now() - startedAt;

    const usage = readExitUsage(usageFile);
    return { exitCode, wallMs, ...usage, lines: stdout.split("\n").filter((line) => line !== ""), stderr };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Reads what exit-usage.ts wrote. Each figure is null when the process died before writing it. */
function readExitUsage(file: string): { maxRssKb: number | null; cpuMs: number | null } {
  let usage: { maxRssKb?: unknown; cpuMs?: unknown } = {};
  try {
    usage = JSON.parse(readFileSync(file, "utf8")) as typeof usage;
  } catch {
    // A process killed before its exit handler ran leaves no file.
  }
  return {
    maxRssKb: typeof usage.maxRssKb === "number" ? usage.maxRssKb : null,
    cpuMs: typeof usage.cpuMs === "number" ? usage.cpuMs : null,
  };
}

export function parseJsonLine(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Returns the first JSON log record of a child whose `msg` is `message`. */
export function findLogRecord(run: ChildRun, message: string): Record<string, unknown> | undefined {
  for (const line of run.lines) {
    const record = parseJsonLine(line);
    if (record?.msg === message) return record;
  }
  return undefined;
}
