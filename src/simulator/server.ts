/**
 * The simulator's HTTP server (node:http). Each request passes the same steps as at a real
 * API behind a proxy: 429 bursts, the per-key rate limit, injected faults, authentication, the
 * route, then the configured latency before the reply is written.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "pino";
import type {
  ListInterceptor,
  RunningSimulator,
  SimulatorOptions,
  SimulatorOrganisation,
  SimulatorStats,
} from "./types.js";
import { FaultInjector, serverErrorReply } from "./faults.js";
import { FixedWindowRateLimiter, validateRateLimit } from "./rate-limit.js";
import { errorReply, type Reply } from "./responses.js";
import { API_PREFIX, handleRoute, matchRoute, type Route, type RouteContext } from "./routes.js";
import { SimulatorStore } from "./store.js";

export const DEFAULT_ORG_ID = "org_demo";
/** The API key of the default organisation. It is a test key, not a secret. */
export const DEFAULT_API_KEY = "sk_test_" + "0".repeat(32);

const DEFAULT_TICKETS = 1000;
const DEFAULT_SEED = 1;
const DEFAULT_RATE_LIMIT = 100;

/** The result of the checks before routing: a reply to write, a hang or a connection reset. */
type Outcome = { kind: "reply"; reply: Reply; truncate: boolean } | { kind: "hang" } | { kind: "reset" };

/**
 * Starts a simulator on `host` (127.0.0.1 unless given) and resolves once it is listening.
 * With rate limiting off (`rateLimitPerMinute: null`), responses carry no X-RateLimit headers.
 * With a logger, it logs each request at debug level and each failed request handler at error level.
 */
export async function startSimulator(options: SimulatorOptions = {}, logger?: Logger): Promise<RunningSimulator> {
  const host = options.host ?? "127.0.0.1";
  const organisations = options.organisations ?? [
    { orgId: DEFAULT_ORG_ID, apiKey: DEFAULT_API_KEY, tickets: DEFAULT_TICKETS },
  ];
  const seed = options.seed ?? DEFAULT_SEED;

  const simulator = new Simulator(organisations, seed, options, logger);
  const port = await simulator.listen(options.port ?? 0, host);
  const urlHost = host.includes(":") ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}${API_PREFIX}`,
    port,
    store: simulator.store,
    stats: simulator.stats,
    setFaults: (faults) => simulator.faults.set(faults),
    setRateLimit: (perMinute) => simulator.rateLimiter.setLimit(validateRateLimit(perMinute)),
    setListInterceptor: (interceptor) => simulator.setListInterceptor(interceptor),
    close: () => simulator.close(),
  };
}

/** Maps each API key to its organisation, rejecting a key given to two organisations. */
function indexKeys(organisations: readonly SimulatorOrganisation[]): Map<string, string> {
  const keys = new Map<string, string>();
  for (const { orgId, apiKey } of organisations) {
    const other = keys.get(apiKey);
    if (other !== undefined) {
      throw new Error(`Organisations ${other} and ${orgId} have the same API key. Give each organisation its own key.`);
    }
    keys.set(apiKey, orgId);
  }
  return keys;
}

class Simulator {
  readonly store: SimulatorStore;
  readonly stats: SimulatorStats = { requests: 0, byStatus: {}, listLimits: [] };
  readonly faults: FaultInjector;
  readonly rateLimiter: FixedWindowRateLimiter;

  private readonly orgIdByKey: Map<string, string>;
  private readonly routeContext: RouteContext;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    organisations: readonly SimulatorOrganisation[],
    seed: number,
    options: SimulatorOptions,
    private readonly logger: Logger | undefined,
  ) {
    this.orgIdByKey = indexKeys(organisations);
    this.store = new SimulatorStore(organisations, seed);
    this.faults = new FaultInjector(seed, options.faults);
    this.rateLimiter = new FixedWindowRateLimiter(
      validateRateLimit(options.rateLimitPerMinute === undefined ? DEFAULT_RATE_LIMIT : options.rateLimitPerMinute),
      options.rateLimitWindowMs,
    );
    this.routeContext = { store: this.store, interceptor: undefined };

    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        // A failing handler still sends a 500 response, as a real API would.
        this.logger?.error({ err: error, method: request.method, path: request.url }, "simulator request failed");
        this.write(response, errorReply(500, `Simulator error: ${(error as Error).message}`), false);
      });
    });

    // Hanging requests keep their sockets open, so close() destroys every socket itself.
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        const address = this.server.address();
        resolve(typeof address === "object" && address !== null ? address.port : port);
      });
    });
  }

  setListInterceptor(interceptor: ListInterceptor | undefined): void {
    this.routeContext.interceptor = interceptor;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    this.timers.clear();

    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await closed;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.stats.requests += 1;
    const url = new URL(request.url ?? "/", "http://simulator.invalid");
    const route = matchRoute(url.pathname);
    const isRead = request.method === "GET" && route !== undefined && "kind" in route;
    if (isRead && route.kind === "list") {
      this.stats.listLimits.push(...url.searchParams.getAll("limit"));
    }

    const outcome = await this.decide(request, url, route, isRead);
    await this.delay(this.faults.latencyMs);

    this.logger?.debug(
      { method: request.method, path: url.pathname, status: outcome.kind === "reply" ? outcome.reply.status : outcome.kind },
      "simulator request",
    );

    if (outcome.kind === "hang") {
      return;
    }
    if (outcome.kind === "reset") {
      request.socket.destroy();
      return;
    }
    this.write(response, outcome.reply, outcome.truncate);
  }

  private async decide(
    request: IncomingMessage,
    url: URL,
    route: Route | Reply | undefined,
    isRead: boolean,
  ): Promise<Outcome> {
    const apiKey = request.headers["x-api-key"];
    const key = typeof apiKey === "string" ? apiKey : "";

    if (this.faults.takeBurst()) {
      return { kind: "reply", reply: this.burstReply(), truncate: false };
    }

    // Requests count against the presented key before it is checked, so requests with a wrong
    // key or none (bucket "") are limited too.
    // NOTE: Servicebay's docs do not say whether rejected keys count against a limit.
    const decision = this.rateLimiter.take(key, Date.now());
    const rateHeaders: Record<string, string> =
      decision === undefined
        ? {}
        : {
            "X-RateLimit-Limit": String(decision.limit),
            "X-RateLimit-Remaining": String(decision.remaining),
            "X-RateLimit-Reset": String(decision.resetSeconds),
          };
    if (decision !== undefined && !decision.allowed) {
      const message = `Rate limit exceeded: ${decision.limit} requests per minute per API key. Retry after the time in X-RateLimit-Reset.`;
      return { kind: "reply", reply: errorReply(429, message, rateHeaders), truncate: false };
    }

    const fault = isRead ? this.faults.draw() : undefined;
    if (fault?.kind === "hang" || fault?.kind === "reset") {
      return { kind: fault.kind };
    }
    if (fault?.kind === "serverError") {
      return { kind: "reply", reply: withHeaders(serverErrorReply(fault), rateHeaders), truncate: false };
    }

    const reply = await this.route(request, url, route, key);
    // Only a successful reply is cut: the fault imitates a 200 response whose body breaks off.
    const truncate = fault?.kind === "truncated" && reply.status === 200;
    return { kind: "reply", reply: withHeaders(reply, rateHeaders), truncate };
  }

  private async route(request: IncomingMessage, url: URL, route: Route | Reply | undefined, key: string): Promise<Reply> {
    if (route === undefined) {
      return errorReply(404, `No endpoint at ${request.method ?? "GET"} ${url.pathname}.`);
    }
    if (!("kind" in route)) {
      return route;
    }

    const denied = this.authenticate(key, route.orgId);
    if (denied !== undefined) {
      return denied;
    }
    return handleRoute(this.routeContext, route, request, url.searchParams);
  }

  /** Returns the error reply for a request that may not read `orgId`, or undefined when it may. */
  private authenticate(key: string, orgId: string): Reply | undefined {
    if (key === "") {
      return errorReply(401, "Missing X-API-Key header.");
    }

    const keyOrgId = this.orgIdByKey.get(key);
    if (keyOrgId === undefined) {
      return errorReply(401, "Invalid API key.");
    }
    if (!this.store.hasOrganisation(orgId)) {
      return errorReply(404, `Organisation ${orgId} not found.`);
    }
    if (keyOrgId !== orgId) {
      return errorReply(403, `The API key has no access to organisation ${orgId}.`);
    }
    return undefined;
  }

  private burstReply(): Reply {
    const resetSeconds = Math.ceil((Date.now() + 1000) / 1000);
    return errorReply(429, "Rate limit exceeded. Retry after the time in X-RateLimit-Reset.", {
      "X-RateLimit-Limit": String(this.rateLimiter.limitPerMinute ?? 0),
      "X-RateLimit-Remaining": "0",
      "X-RateLimit-Reset": String(resetSeconds),
      "Retry-After": "1",
    });
  }

  private write(response: ServerResponse, reply: Reply, truncate: boolean): void {
    if (response.destroyed || response.headersSent) {
      return;
    }

    let body = Buffer.from(reply.body, "utf8");
    if (truncate) {
      // Cutting bytes, not characters, may split a UTF-8 sequence, as a dropped connection would.
      body = body.subarray(0, Math.floor(body.length / 2));
    }

    this.stats.byStatus[reply.status] = (this.stats.byStatus[reply.status] ?? 0) + 1;
    response.writeHead(reply.status, {
      ...reply.headers,
      "Content-Type": reply.contentType,
      "Content-Length": String(body.length),
    });
    response.end(body);
  }

  private delay(ms: number): Promise<void> {
    if (ms <= 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

function withHeaders(reply: Reply, headers: Record<string, string>): Reply {
  return { ...reply, headers: { ...headers, ...reply.headers } };
}
