import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { TestProject } from "vitest/node";

import { startEmbeddedPostgres } from "../../src/db/embedded.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A superuser connection string; each test file creates its own database through it. */
    adminDatabaseUrl: string;
  }
}

/**
 * Finds a PostgreSQL server for the test run: TEST_DATABASE_URL when set, else a Testcontainers
 * container when a Docker engine responds, else an embedded server from the npm package.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const configured = process.env.TEST_DATABASE_URL;
  if (configured) {
    project.provide("adminDatabaseUrl", configured);
    return async () => undefined;
  }

  const container = await startContainerIfDockerAnswers();
  if (container) {
    project.provide("adminDatabaseUrl", container.url);
    return container.stop;
  }

  const dataDir = mkdtempSync(join(tmpdir(), "servicebay-sync-test-pg-"));
  const embedded = await startEmbeddedPostgres({ dataDir });
  project.provide("adminDatabaseUrl", embedded.url);
  return async () => {
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}

async function startContainerIfDockerAnswers(): Promise<{ url: string; stop: () => Promise<void> } | undefined> {
  try {
    const { getContainerRuntimeClient } = await import("testcontainers");
    await getContainerRuntimeClient();
  } catch {
    return undefined;
  }

  const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
  const container = await new PostgreSqlContainer("postgres:15-alpine").start();
  return { url: container.getConnectionUri(), stop: async () => void (await container.stop()) };
}
