import { describe, expect, test } from "vitest";

import { ConfigError, loadConfig, parseDuration, redactDatabaseUrl } from "../src/config.js";

const valid = {
  SERVICEBAY_API_KEY: "sk_live_0123456789abcdef0123456789abcdef",
  SERVICEBAY_ORG_ID: "org_1",
  DATABASE_URL: "postgres://sync:s3cret-pass@db.internal:5432/mirror",
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig("start", env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("loadConfig", () => {
  test("applies the documented defaults", () => {
    const config = loadConfig("start", valid);

    expect(config.SERVICEBAY_BASE_URL).toBe("https://developer.servicebay.io/api/v1");
    expect(config.SYNC_SCHEDULE).toBe("*/15 * * * *");
    expect(config.SYNC_TIMEZONE).toBe("UTC");
    expect(config.LOG_LEVEL).toBe("info");
    expect(config.SYNC_RESUME_MAX_AGE).toBe(24 * 3_600_000);
    expect(config.SYNC_MAX_DELETE_FRACTION).toBe(0.5);
  });

  test("lists every problem at once", () => {
    const problems = problemsOf({ SYNC_SCHEDULE: "every tuesday", SYNC_TIMEZONE: "Mars/Olympus", LOG_LEVEL: "loud" });

    expect(problems.some((problem) => problem.includes("SERVICEBAY_API_KEY"))).toBe(true);
    expect(problems.some((problem) => problem.includes("SERVICEBAY_ORG_ID"))).toBe(true);
    expect(problems.some((problem) => problem.includes("DATABASE_URL"))).toBe(true);
    expect(problems.some((problem) => problem.includes("SYNC_SCHEDULE"))).toBe(true);
    expect(problems.some((problem) => problem.includes("SYNC_TIMEZONE"))).toBe(true);
    expect(problems.some((problem) => problem.includes("LOG_LEVEL"))).toBe(true);
  });

  test("treats empty variables as unset", () => {
    const problems = problemsOf({ ...valid, SERVICEBAY_API_KEY: "" });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("SERVICEBAY_API_KEY is missing");
  });

  test("rejects plain HTTP to another host", () => {
    const problems = problemsOf({ ...valid, SERVICEBAY_BASE_URL: "http://api.example.com/api/v1" });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("unencrypted");
  });

  test("reports the base URL beside other problems", () => {
    const problems = problemsOf({ ...valid, DATABASE_URL: "notaurl", SERVICEBAY_BASE_URL: "http://example.com/api" });

    expect(problems).toHaveLength(2);
    expect(problems.some((problem) => problem.includes("DATABASE_URL"))).toBe(true);
    expect(problems.some((problem) => problem.includes("unencrypted"))).toBe(true);
  });

  test("accepts plain HTTP to loopback", () => {
    for (const url of ["http://127.0.0.1:4010/api/v1", "http://[::1]:4010/api/v1", "http://localhost:4010/api/v1"]) {
      expect(problemsOf({ ...valid, SERVICEBAY_BASE_URL: url })).toEqual([]);
    }
  });

  test("never repeats the database password", () => {
    const problems = problemsOf({ ...valid, DATABASE_URL: "mysql://root:hunter2-secret@db/x" });

    expect(problems.join("\n")).not.toContain("hunter2-secret");
    expect(problems.join("\n")).toContain("postgres://");
  });

  test("rejects fractions outside 0..1", () => {
    expect(problemsOf({ ...valid, SYNC_MAX_DELETE_FRACTION: "1.5" })[0]).toContain("SYNC_MAX_DELETE_FRACTION");
    expect(problemsOf({ ...valid, SYNC_MAX_DELETE_FRACTION: "abc" })[0]).toContain("SYNC_MAX_DELETE_FRACTION");
  });

  test("rejects an API key with a line break", () => {
    const problems = problemsOf({ ...valid, SERVICEBAY_API_KEY: "sk_live_abc\ndef" });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("line breaks");
    expect(problems[0]).not.toContain("sk_live_abc");
  });

  test("rejects credentials in the base URL", () => {
    const problems = problemsOf({ ...valid, SERVICEBAY_BASE_URL: "http://user:pw-secret@127.0.0.1:4010/api/v1" });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("user name or password");
    expect(problems[0]).not.toContain("pw-secret");
  });

  test("rejects timeouts Node.js timers cannot hold", () => {
    expect(problemsOf({ ...valid, SYNC_REQUEST_TIMEOUT_SECONDS: "3000000" })[0]).toContain("at most 3600");
    expect(problemsOf({ ...valid, SYNC_MAX_RETRY_SECONDS: "1e10" })[0]).toContain("at most 86400");
  });

  test("reads numbers only in decimal", () => {
    expect(problemsOf({ ...valid, SYNC_MAX_RETRY_SECONDS: "0x10" })[0]).toContain("SYNC_MAX_RETRY_SECONDS");
    expect(problemsOf({ ...valid, METRICS_PORT: " " })[0]).toContain("METRICS_PORT");
    expect(problemsOf({ ...valid, METRICS_PORT: "9x" })[0]).toContain("METRICS_PORT");
  });

  test("explains an unencoded character in the password", () => {
    const problems = problemsOf({ ...valid, DATABASE_URL: "postgres://sync:pa#ss@db:5432/mirror" });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("percent-encode");
    expect(problems[0]).not.toContain("pa#ss");
  });

  test("database scope needs only DATABASE_URL", () => {
    expect(loadConfig("database", { DATABASE_URL: valid.DATABASE_URL }).DATABASE_URL).toBe(valid.DATABASE_URL);
  });
});

describe("parseDuration", () => {
  test.each([
    ["90s", 90_000],
    ["15m", 900_000],
    ["24h", 86_400_000],
    ["2d", 172_800_000],
    ["30", 30_000],
    ["250ms", 250],
  ])("%s is %d ms", (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  test("rejects words", () => {
    expect(parseDuration("soon")).toBeNull();
  });
});

describe("redactDatabaseUrl", () => {
  test("hides a password in the query string", () => {
    const redacted = redactDatabaseUrl("postgres://sync@db:5432/mirror?password=QuerySecret123&sslmode=require");

    expect(redacted).not.toContain("QuerySecret123");
    expect(redacted).toContain("sslmode=require");
  });

  test("hides the password", () => {
    const redacted = redactDatabaseUrl(valid.DATABASE_URL);

    expect(redacted).not.toContain("s3cret-pass");
    expect(redacted).toContain("db.internal");
  });
});
