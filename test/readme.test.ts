import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTestDatabase, type TestDatabase } from "./support/database.js";

// The README is the operator's guide, so these tests keep it true: every command it shows
// exists with the options it uses, every variable the configuration reads is in its table, and
// the example against the simulator runs as written.

const readme = readFileSync("README.md", "utf8");

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI without blocking the event loop. */
function runCli(args: string[], env: NodeJS.ProcessEnv = { PATH: process.env.PATH }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["dist/cli.js", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** Returns the contents of every ```sh block, in order. */
function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

/**
 * Returns the argument lists of every CLI call in the shell blocks: `npx servicebay-sync ...`,
 * `node .../servicebay-sync.js ...` and `docker run ... servicebay-sync:TAG ...`. Arguments end
 * at a shell operator or a comment.
 */
function cliCallsIn(blocks: string[]): string[][] {
  const calls: string[][] = [];
  const pattern = /(?:npx servicebay-sync|servicebay-sync\.js|^docker (?:compose .*)?run .*servicebay-sync:[\w.-]+) ([^&|;#]*)/;
  for (const line of blocks.flatMap((block) => block.split("\n"))) {
    const match = pattern.exec(line.trim());
    if (match) calls.push(match[1]!.trim().split(/\s+/));
  }
  return calls;
}

/** Returns the commands and options listed in a commander help text. */
function parseHelp(help: string): { commands: string[]; options: string[] } {
  const section = (title: string) => {
    const start = help.indexOf(`${title}:\n`);
    if (start === -1) return [];
    const lines = help.slice(start + title.length + 2).split("\n");
    const end = lines.findIndex((line) => line.trim() === "");
    return lines.slice(0, end === -1 ? undefined : end);
  };
  const commands = section("Commands").flatMap((line) => /^ {2}([a-z][\w-]*)/.exec(line)?.[1] ?? []);
  const options = section("Options").flatMap((line) => [...line.matchAll(/(?:^|[\s,])(--?[a-zA-Z][\w-]*)/g)].map((match) => match[1]!));
  return { commands, options };
}

/** Reads the help of a command path such as ["report", "durations"]. */
async function helpOf(path: string[]): Promise<{ commands: string[]; options: string[] }> {
  const result = await runCli([...path, "--help"]);
  expect(result.status, `servicebay-sync ${path.join(" ")} --help failed: ${result.stderr}`).toBe(0);
  return parseHelp(result.stdout);
}

describe("README commands", () => {
  const calls = cliCallsIn(shellBlocks(readme));

  it("finds the documented calls", () => {
    const commands = new Set(calls.map((call) => call[0]));
    for (const expected of ["simulator", "sync", "status", "start"]) expect(commands).toContain(expected);
  });

  it("reads options from help", async () => {
    const status = await helpOf(["status"]);
    expect(status.options).toEqual(["--org", "--limit", "--format", "--max-age", "--stale-after", "-h", "--help"]);
  });

  it("uses only existing commands and options", async () => {
    const top = await helpOf([]);
    for (const call of calls) {
      const path: string[] = [];
      let help = top;
      let index = 0;
      // Walk down nested commands such as `report durations`.
      while (index < call.length && help.commands.includes(call[index]!)) {
        path.push(call[index]!);
        help = await helpOf(path);
        index += 1;
      }
      expect(path.length, `"${call.join(" ")}" names no command of servicebay-sync`).toBeGreaterThan(0);

      for (const argument of call.slice(index)) {
        if (!argument.startsWith("-")) continue;
        const option = argument.split("=")[0]!;
        expect(help.options, `"servicebay-sync ${path.join(" ")}" has no option ${option}`).toContain(option);
      }
    }
  });

  it("lists every command in the commands table", async () => {
    const top = await helpOf([]);
    const table = readme.slice(readme.indexOf("## Commands"), readme.indexOf("### Exit codes"));
    const documented = [...table.matchAll(/^\| `([a-z-]+)/gm)].map((match) => match[1]!);
    for (const command of top.commands.filter((name) => name !== "help")) {
      expect(documented, `command ${command} is missing from the README's commands table`).toContain(command);
    }
  });

  it("documents every configuration variable", () => {
    // Keys of the setting groups in config.ts; DATABASE_URL is declared apart from them.
    const variables = ["DATABASE_URL", ...[...readFileSync("src/config.ts", "utf8").matchAll(/^ {2}([A-Z][A-Z0-9_]+): /gm)].map((match) => match[1]!)];
    const table = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## Commands"));
    expect(variables.length).toBeGreaterThan(10);
    for (const variable of new Set(variables)) {
      expect(table, `${variable} is missing from the README's configuration table`).toContain(`| \`${variable}\` |`);
    }
  });

  it("documents every exit code", async () => {
    const { EXIT_CODES } = await import("../src/exit-codes.js");
    for (const code of Object.values(EXIT_CODES)) expect(readme).toMatch(new RegExp(`^\\| ${code} \\| `, "m"));
  });

  it("links files that exist", () => {
    for (const match of readme.matchAll(/\]\(((?:deploy|docs)\/[^)]+)\)/g)) {
      expect(() => readFileSync(match[1]!), `${match[1]} does not exist`).not.toThrow();
    }
  });
});

/** Asks the kernel for a free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("README example against the simulator", () => {
  const block = shellBlocks(readme).find((candidate) => candidate.includes("servicebay-sync simulator"));
  let db: TestDatabase;
  let simulator: ReturnType<typeof spawn> | undefined;

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    simulator?.kill("SIGTERM");
    await db.drop();
  });

  it("runs as written", async () => {
    expect(block).toBeDefined();
    // The documented port may be taken on a test machine, so the example gets a free one.
    const documentedPort = /--port (\d+)/.exec(block!)?.[1];
    expect(documentedPort).toBeDefined();
    const port = String(await freePort());
    const lines = block!.replaceAll(documentedPort!, port).split("\n").filter((line) => line.trim() !== "");

    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, LOG_LEVEL: "warn" };
    for (const line of lines) {
      if (line.startsWith("export ")) {
        for (const assignment of line.slice("export ".length).trim().split(/\s+/)) {
          const [name, ...value] = assignment.split("=");
          env[name!] = value.join("=");
        }
        // The test's own database replaces the documented one.
        if (env.DATABASE_URL !== undefined) env.DATABASE_URL = db.url;
        continue;
      }

      const background = line.trimEnd().endsWith("&");
      const match = /^npx servicebay-sync (.*?)\s*&?$/.exec(line.trim());
      expect(match, `README example line not understood: ${line}`).not.toBeNull();
      const args = match![1]!.split(/\s+/);

      if (background) {
        simulator = spawn(process.execPath, ["dist/cli.js", ...args], { env, stdio: "ignore" });
        await waitForPort(Number(port));
        continue;
      }
      const result = await runCli(args, env);
      expect(result.status, `"${line}" exited with ${result.status}: ${result.stderr}`).toBe(0);
    }

    const [count] = await db.query<{ count: number }>("SELECT count(*)::int AS count FROM servicebay.tickets");
    const ticketCount = /--tickets (\d+)/.exec(block!)?.[1];
    expect(count?.count).toBe(Number(ticketCount));
  });
});

/** Waits until something accepts connections on 127.0.0.1:port. */
async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`Nothing listens on 127.0.0.1:${port} after 10 seconds`);
}
