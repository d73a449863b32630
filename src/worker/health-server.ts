import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import type { Registry } from "prom-client";

import type { Logger } from "../logger.js";
import type { HealthReport } from "./health.js";

export interface HealthServerOptions {
  host: string;
  /** TCP port; 0 picks a free one, which `RunningHealthServer.port` then contains. */
  port: number;
  registry: Registry;
  health: () => HealthReport;
  logger: Logger;
}

export interface RunningHealthServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `GET /healthz` (200 or 503 with a JSON body) and `GET /metrics` (Prometheus text format)
 * for a long-running worker. A HEAD request gets the headers of GET without the body.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<RunningHealthServer> {
  const { logger } = options;
  const server = createServer((request, response) => {
    handle(request, response, options).catch((error: unknown) => {
      logger.error({ err: { message: error instanceof Error ? error.message : String(error) }, path: request.url }, "health server request failed");
      if (!response.headersSent) send(response, request, 500, "text/plain; charset=utf-8", "Internal server error\n");
      else response.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  logger.info({ host: address.address, port: address.port }, "serving /healthz and /metrics");

  return {
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        // Prometheus keeps connections alive between scrapes; without this, close() would wait for them.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, options: HealthServerOptions): Promise<void> {
  const path = new URL(request.url ?? "/", "http://localhost").pathname;
  if (path !== "/healthz" && path !== "/metrics") {
    send(response, request, 404, "text/plain; charset=utf-8", "Not found: use /healthz or /metrics\n");
    return;
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.setHeader("Allow", "GET, HEAD");
    send(response, request, 405, "text/plain; charset=utf-8", "Method not allowed: use GET\n");
    return;
  }

  if (path === "/healthz") {
    const report = options.health();
    send(response, request, report.healthy ? 200 : 503, "application/json; charset=utf-8", `${JSON.stringify(report)}\n`);
    return;
  }
  send(response, request, 200, options.registry.contentType, await options.registry.metrics());
}

function send(response: ServerResponse, request: IncomingMessage, status: number, contentType: string, body: string): void {
  response.writeHead(status, { "Content-Type": contentType, "Cache-Control": "no-store", "Content-Length": Buffer.byteLength(body) });
  response.end(request.method === "HEAD" ? undefined : body);
}
