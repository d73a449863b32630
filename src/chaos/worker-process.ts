import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";

/** The end of a worker process: its exit code, or the signal that killed it. */
export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A `servicebay-sync sync` child process whose JSON log lines are counted as they arrive:
 * committed pages and retried requests. Its environment contains only PATH and the given
 * variables.
 */
export class WorkerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<WorkerExit>;
  pagesCommitted = 0;
  retries = 0;
  output = "";
  stderr = "";
  #pending = "";
  #pageWaiters: { pages: number; resolve: (reached: boolean) => void }[] = [];

  constructor(cliPath: string, cwd: string, env: Record<string, string>) {
    this.child = spawn(process.execPath, [cliPath, "sync"], {
      cwd,
      env: { PATH: process.env.PATH ?? "", LOG_FORMAT: "json", LOG_LEVEL: "debug", ...env },
    });
    this.child.stdout.on("data", (chunk: Buffer) => this.#read(chunk.toString()));
    this.child.stderr.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString();
      this.output += chunk.toString();
    });
    this.exited = new Promise((resolve) => {
      this.child.once("close", (code, signal) => {
        for (const waiter of this.#pageWaiters.splice(0)) waiter.resolve(false);
        resolve({ code, signal });
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with true once `pages` pages are committed, or with false when the process ends first. */
  waitForPages(pages: number): Promise<boolean> {
    if (this.pagesCommitted >= pages) return Promise.resolve(true);
    if (!this.running) return Promise.resolve(false);
    return new Promise((resolve) => this.#pageWaiters.push({ pages, resolve }));
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  #read(text: string): void {
    this.output += text;
    this.#pending += text;
    const lines = this.#pending.split("\n");
    this.#pending = lines.pop() ?? "";

    for (const line of lines) {
      let message: unknown;
      try {
        message = (JSON.parse(line) as { msg?: unknown }).msg;
      } catch {
        continue;
      }
      if (message === "page committed") this.pagesCommitted += 1;
      if (message === "retrying Servicebay request") this.retries += 1;
    }

    const reached = this.#pageWaiters.filter((waiter) => waiter.pages <= this.pagesCommitted);
    this.#pageWaiters = this.#pageWaiters.filter((waiter) => waiter.pages > this.pagesCommitted);
    for (const waiter of reached) waiter.resolve(true);
  }
}
