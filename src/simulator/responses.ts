/** HTTP replies of the simulator, built first and written later, so faults can alter them. */
import type { IncomingMessage } from "node:http";

export interface Reply {
  status: number;
  body: string;
  contentType: string;
  headers?: Record<string, string>;
}

/** Largest request body accepted by POST and PUT. */
const MAX_BODY_BYTES = 1_048_576;

const JSON_TYPE = "application/json; charset=utf-8";

export function jsonReply(status: number, value: unknown, headers?: Record<string, string>): Reply {
  return { status, body: JSON.stringify(value), contentType: JSON_TYPE, headers };
}

/** Builds the API's error envelope, `{ "success": false, "error": message }`. */
export function errorReply(status: number, message: string, headers?: Record<string, string>): Reply {
  return jsonReply(status, { success: false, error: message }, headers);
}

/** Builds an HTML error page like the one nginx sends when its upstream fails. Clients must not parse it as JSON. */
export function proxyErrorReply(status: number, reason: string): Reply {
  const title = `${status} ${reason}`;
  const body =
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n` +
    `<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  return { status, body, contentType: "text/html" };
}

/** The outcome of reading a JSON request body: the parsed object, or the error reply to send. */
export type BodyResult = { ok: true; value: Record<string, unknown> } | { ok: false; reply: Reply };

/** Reads a request body that must be a JSON object of at most 1 MiB. */
export async function readJsonObject(request: IncomingMessage): Promise<BodyResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      return { ok: false, reply: errorReply(413, `Request body is larger than ${MAX_BODY_BYTES} bytes.`) };
    }
    chunks.push(buffer);
  }

  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (error) {
    return { ok: false, reply: errorReply(400, `Invalid JSON body: ${(error as Error).message}`) };
  }

  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, reply: errorReply(400, "Invalid body: expected a JSON object of ticket fields.") };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
