/** The ticket endpoints under /api/v1, once the request is authenticated and not rate limited. */
import type { IncomingMessage } from "node:http";
import type { ListInterceptor } from "./types.js";
import { SimulatorStore, TicketExistsError, TicketNotFoundError, type TicketFilters } from "./store.js";
import { errorReply, jsonReply, readJsonObject, type Reply } from "./responses.js";

export const API_PREFIX = "/api/v1";

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;

export type Route = { kind: "list"; orgId: string } | { kind: "ticket"; orgId: string; ticketId: string };

/** The state that route handlers read and change. */
export interface RouteContext {
  store: SimulatorStore;
  interceptor: ListInterceptor | undefined;
}

/**
 * Matches `/api/v1/organisations/{orgId}/tickets[/{ticketId}]` and decodes the IDs. Returns
 * undefined for any other path and an error reply for a path whose percent-encoding is invalid.
 */
export function matchRoute(pathname: string): Route | Reply | undefined {
  if (!pathname.startsWith(`${API_PREFIX}/`)) {
    return undefined;
  }

  const segments = pathname.slice(API_PREFIX.length + 1).split("/");
  const [collection, rawOrgId, resource, rawTicketId, ...rest] = segments;
  if (collection !== "organisations" || !rawOrgId || resource !== "tickets" || rest.length > 0) {
    return undefined;
  }

  try {
    const orgId = decodeURIComponent(rawOrgId);
    if (rawTicketId === undefined) {
      return { kind: "list", orgId };
    }
    if (rawTicketId === "") {
      return undefined;
    }
    return { kind: "ticket", orgId, ticketId: decodeURIComponent(rawTicketId) };
  } catch {
    return errorReply(400, `Invalid percent-encoding in path ${pathname}.`);
  }
}

/** Runs the handler for an authenticated request to `route`. */
export async function handleRoute(
  context: RouteContext,
  route: Route,
  request: IncomingMessage,
  query: URLSearchParams,
): Promise<Reply> {
  const method = request.method ?? "GET";

  if (route.kind === "list") {
    if (method === "GET") {
      return listTickets(context, route.orgId, query);
    }
    if (method === "POST") {
      return createTicket(context, route.orgId, request);
    }
    return errorReply(405, `Method ${method} is not allowed on the ticket list; use GET or POST.`, {
      Allow: "GET, POST",
    });
  }

  if (method === "GET") {
    const ticket = context.store.get(route.orgId, route.ticketId);
    return ticket === undefined ? ticketNotFound(route.ticketId) : jsonReply(200, { success: true, data: ticket });
  }
  if (method === "PUT") {
    return updateTicket(context, route.orgId, route.ticketId, request);
  }
  if (method === "DELETE") {
    const removed = context.store.remove(route.orgId, route.ticketId);
    return removed ? jsonReply(200, { success: true, data: { id: route.ticketId } }) : ticketNotFound(route.ticketId);
  }
  return errorReply(405, `Method ${method} is not allowed on a ticket; use GET, PUT or DELETE.`, {
    Allow: "GET, PUT, DELETE",
  });
}

/**
 * Parses `limit`: an integer from 1 to 100 written in plain digits, 50 when absent. Returns
 * the error reply for any other value.
 */
export function parseLimit(values: string[]): number | Reply {
  if (values.length === 0) {
    return DEFAULT_LIMIT;
  }

  const [value] = values;
  const limit = Number(value);
  if (values.length > 1 || value === undefined || !/^[0-9]+$/.test(value) || limit < 1 || limit > MAX_LIMIT) {
    return errorReply(400, `Invalid limit ${JSON.stringify(values.join(","))}: expected one integer from 1 to ${MAX_LIMIT}.`);
  }
  return limit;
}

function listTickets(context: RouteContext, orgId: string, query: URLSearchParams): Reply {
  const limit = parseLimit(query.getAll("limit"));
  if (typeof limit !== "number") {
    return limit;
  }

  const single: Record<string, string | undefined> = {};
  for (const name of ["startAfter", "status", "customerId", "assignedTechnician"]) {
    const values = query.getAll(name);
    if (values.length > 1) {
      return errorReply(400, `Invalid query: parameter ${name} is given ${values.length} times; give it once.`);
    }
    single[name] = values[0];
  }

  const startAfter = single.startAfter ?? null;
  const filters: TicketFilters = {
    status: single.status,
    customerId: single.customerId,
    assignedTechnician: single.assignedTechnician,
  };
  const page = context.store.page(orgId, startAfter, limit, filters);

  const intercepted = context.interceptor?.({
    orgId,
    startAfter,
    limit,
    page: { ...page, tickets: page.tickets as Record<string, unknown>[] },
  });
  if (intercepted !== undefined) {
    return jsonReply(intercepted.status, intercepted.body);
  }

  return jsonReply(200, {
    success: true,
    data: {
      tickets: page.tickets,
      pagination: { limit, hasMore: page.hasMore, nextCursor: page.nextCursor },
    },
  });
}

async function createTicket(context: RouteContext, orgId: string, request: IncomingMessage): Promise<Reply> {
  const body = await readJsonObject(request);
  if (!body.ok) {
    return body.reply;
  }

  try {
    const ticket = context.store.create(orgId, body.value);
    return jsonReply(201, { success: true, data: ticket });
  } catch (error) {
    if (error instanceof TicketExistsError) {
      return errorReply(409, error.message);
    }
    throw error;
  }
}

async function updateTicket(
  context: RouteContext,
  orgId: string,
  ticketId: string,
  request: IncomingMessage,
): Promise<Reply> {
  const body = await readJsonObject(request);
  if (!body.ok) {
    return body.reply;
  }

  try {
    const ticket = context.store.update(orgId, ticketId, body.value);
    return jsonReply(200, { success: true, data: ticket });
  } catch (error) {
    if (error instanceof TicketNotFoundError) {
      return ticketNotFound(ticketId);
    }
    if (error instanceof TypeError) {
      return errorReply(409, error.message);
    }
    throw error;
  }
}

function ticketNotFound(ticketId: string): Reply {
  return errorReply(404, `Ticket ${ticketId} not found.`);
}
