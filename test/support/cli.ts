import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The built CLI; `npm test` builds it before vitest starts. */
export const CLI_PATH = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

/**
 * An empty working directory for spawned commands, so a developer's `.env` in the repository
 * cannot change what a test runs.
 */
const WORKING_DIRECTORY = mkdtempSync(join(tmpdir(), "servicebay-sync-cli-"));

export type LogLine = Record<string, unknown> & { msg: string };

/** The end of a spawned command: its exit code, or the signal that killed it. */
export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A spawned `servicebay-sync` command. Its environment contains only PATH, JSON logging and the
 * given variables, never the test process's own environment. Standard output is kept as text
 * and as parsed JSON log lines.
 */
export class CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: LogLine[] = [];
  stdout = "";
  stderr = "";
  readonly exited: Promise<CliExit>;
  #pending = "";
  #listeners = new Set<() => void>();

  constructor(args: string[], env: Record<string, string>) {
    this.child = spawn(process.execPath, [CLI_PATH, ...args], {
      cwd: WORKING_DIRECTORY,
      env: { PATH: process.env.PATH ?? "", LOG_FORMAT: "json", ...env },
    });
    this.child.stdout.on("data", (chunk: Buffer) => this.#readStdout(chunk.toString()));
    this.child.stderr.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString();
      this.#notify();
    });
    this.exited = new Promise((resolve) => {
      this.child.once("close", (code, signal) => {
        this.#notify();
        resolve({ code, signal });
      });
    });
  }

  /** Everything the command printed, standard output and standard error. */
  get output(): string {
    return this.stdout + this.stderr;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Log lines with this message. */
  logs(message: string): LogLine[] {
    return this.lines.filter((line) => line.msg === message);
  }

  /**
   * Resolves once `count` log lines with this message arrived. Rejects when the process ends
   * first or the timeout passes, with the output so far in the message.
   */
  async waitForLog(message: string, count = 1, timeoutMs = 20_000): Promise<LogLine> {
    await this.waitFor(() => this.logs(message).length >= count, `${count} log line(s) "${message}"`, timeoutMs);
    return this.logs(message)[count - 1]!;
  }

  /** Resolves once `condition` holds, checked after each chunk of output. */
  waitFor(condition: () => boolean, description: string, timeoutMs = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (condition()) {
          finish();
          resolve();
        } else if (!this.running) {
          finish();
          reject(new Error(`The command ended before ${description}. Output:\n${this.output}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`No ${description} within ${timeoutMs} ms. Output:\n${this.output}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.#listeners.delete(check);
      };
      this.#listeners.add(check);
      check();
    });
  }

  /** Sends a signal unless the process has ended. */
  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  #readStdout(text: string): void {
    this.stdout += text;
    this.#pending += text;
    const complete = this.#pending.split("\n");
    this.#pending = complete.pop() ?? "";
    for (const line of complete) {
      if (line.trim() === "") continue;
      try {
        this.lines.push(JSON.parse(line) as LogLine);
      } catch {
        this.lines.push({ msg: "(not JSON)", text: line });
      }
    }
    this.#notify();
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}

/** Runs a command to its end and returns the process with its output. */
export async function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CliProcess & { exit: CliExit }> {
  const cli = new CliProcess(args, env);
  const timer = setTimeout(() => cli.kill("SIGKILL"), timeoutMs);
  const exit = await cli.exited;
  clearTimeout(timer);
  return Object.assign(cli, { exit });
}

/** Builds the environment of a `sync` against a simulator and a database, with debug logs. */
export function syncEnv(options: { baseUrl: string; orgId: string; apiKey: string; databaseUrl: string }, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SERVICEBAY_BASE_URL: options.baseUrl,
    SERVICEBAY_ORG_ID: options.orgId,
    SERVICEBAY_API_KEY: options.apiKey,
    DATABASE_URL: options.databaseUrl,
    LOG_LEVEL: "debug",
    ...extra,
  };
}
