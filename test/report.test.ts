import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";

import { parse } from "node-html-parser";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { reportDurationsCommand, type ReportDurationsOptions } from "../src/commands/report.js";
import { axisTicks } from "../src/report/chart.js";
import { queryDurationStats, type DurationGroup } from "../src/report/durations.js";
import { formatCsv, formatJson, formatTable, type ReportScope } from "../src/report/format.js";
import { renderHtmlReport } from "../src/report/html.js";
import { resolveDayRange } from "../src/report/options.js";
import { ORG_B, insertAnalyticsFixture } from "./support/analytics-fixture.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";

/** The fixture's closes all fall in these two weeks. */
const MARCH = { since: "2026-03-01", until: "2026-03-16" };

/** Captures what a command writes to stdout and stderr. */
function captureOutput() {
  const chunks = { stdout: "", stderr: "" };
  const sink = (name: keyof typeof chunks) =>
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks[name] += chunk.toString();
        callback();
      },
    });
  return { chunks, output: { stdout: sink("stdout"), stderr: sink("stderr") } };
}

/** Rounds statistics to 2 decimal places, as every output format does. */
function rounded(groups: DurationGroup[]) {
  const round = (value: number) => Math.round(value * 100) / 100;
  return groups.map((group) => [group.group, group.count, round(group.medianHours), round(group.p90Hours), round(group.meanHours), round(group.maxHours)]);
}

describe("duration statistics on the fixture", () => {
  let db: TestDatabase;
  const stats = (by: ReportScope["by"], range = MARCH, orgId: string | null = null) => queryDurationStats(db.pool, { by, range, orgId });

  beforeAll(async () => {
    db = await createTestDatabase();
    await insertAnalyticsFixture(db);
  });
  afterAll(async () => {
    await db?.drop();
  });

  test("by week", async () => {
    expect(rounded(await stats("week"))).toEqual([
      ["2026-03-02", 5, 10, 38.4, 17.8, 48],
      ["2026-03-09", 3, 216, 235.2, 212, 240],
    ]);
  });

  test("by month", async () => {
    expect(rounded(await stats("month"))).toEqual([["2026-03", 8, 36, 223.2, 90.63, 240]]);
  });

  test("by technician, unassigned last", async () => {
    expect(rounded(await stats("technician"))).toEqual([
      ["ana", 3, 10, 40.4, 20.33, 48],
      ["bo", 2, 198, 212.4, 198, 216],
      ["cy", 2, 14, 22, 14, 24],
      [null, 1, 240, 240, 240, 240],
    ]);
  });

  test("by location", async () => {
    expect(rounded(await stats("location"))).toEqual([
      ["instore", 3, 48, 153.6, 79.33, 180],
      ["offsite", 2, 228, 237.6, 228, 240],
      ["remote", 3, 4, 20, 10.33, 24],
    ]);
  });

  test("by status keeps letter case apart", async () => {
    expect(rounded(await stats("status"))).toEqual([
      ["Closed", 7, 48, 225.6, 103.14, 240],
      ["closed", 1, 3, 3, 3, 3],
    ]);
  });

  test("one organisation", async () => {
    expect(rounded(await stats("week", MARCH, ORG_B))).toEqual([["2026-03-02", 1, 4, 4, 4, 4]]);
  });

  test("since is included", async () => {
    expect(rounded(await stats("week", { since: "2026-03-11", until: "2026-03-12" }))).toEqual([["2026-03-09", 2, 210, 234, 210, 240]]);
  });

  test("until is excluded", async () => {
    expect(rounded(await stats("week", { since: "2026-03-09", until: "2026-03-11" }))).toEqual([["2026-03-09", 1, 216, 216, 216, 216]]);
  });

  test("empty range returns no groups", async () => {
    expect(await stats("week", { since: "2025-01-01", until: "2025-02-01" })).toEqual([]);
  });

  describe("report durations command", () => {
    const run = async (options: Partial<ReportDurationsOptions>) => {
      process.env.DATABASE_URL = db.url;
      process.env.LOG_LEVEL = "silent";
      const { chunks, output } = captureOutput();
      const code = await reportDurationsCommand({ by: "week", format: "table", ...MARCH, ...options }, output);
      return { code, ...chunks };
    };

    test("table is aligned", async () => {
      const { code, stdout } = await run({});

      expect(code).toBe(0);
      expect(stdout).toBe(
        [
          "Closed-job durations in hours by week, closed from 2026-03-01 up to (not including) 2026-03-16, all organisations",
          "",
          "week        count  median_hours  p90_hours  mean_hours  max_hours",
          "2026-03-02      5         10.00      38.40       17.80      48.00",
          "2026-03-09      3        216.00     235.20      212.00     240.00",
          "",
        ].join("\n"),
      );
    });

    test("table names unassigned technicians", async () => {
      const { stdout } = await run({ by: "technician" });

      expect(stdout.split("\n").slice(2, 7)).toEqual([
        "technician    count  median_hours  p90_hours  mean_hours  max_hours",
        "ana               3         10.00      40.40       20.33      48.00",
        "bo                2        198.00     212.40      198.00     216.00",
        "cy                2         14.00      22.00       14.00      24.00",
        "(unassigned)      1        240.00     240.00      240.00     240.00",
      ]);
    });

    test("csv follows RFC 4180", async () => {
      const { code, stdout } = await run({ by: "technician", format: "csv" });

      expect(code).toBe(0);
      expect(stdout).toBe(
        "technician,count,median_hours,p90_hours,mean_hours,max_hours\r\n" +
          "ana,3,10,40.4,20.33,48\r\n" +
          "bo,2,198,212.4,198,216\r\n" +
          "cy,2,14,22,14,24\r\n" +
          ",1,240,240,240,240\r\n",
      );
    });

    test("json is an array of groups", async () => {
      const { code, stdout } = await run({ by: "location", format: "json" });

      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual([
        { location: "instore", count: 3, median_hours: 48, p90_hours: 153.6, mean_hours: 79.33, max_hours: 180 },
        { location: "offsite", count: 2, median_hours: 228, p90_hours: 237.6, mean_hours: 228, max_hours: 240 },
        { location: "remote", count: 3, median_hours: 4, p90_hours: 20, mean_hours: 10.33, max_hours: 24 },
      ]);
    });

    test("empty range prints a sentence", async () => {
      const { code, stdout } = await run({ since: "2025-01-01", until: "2025-02-01" });

      expect(code).toBe(0);
      expect(stdout).toBe("No closed jobs between 2025-01-01 and 2025-02-01.\n");
    });

    test("empty range keeps json parseable", async () => {
      const { code, stdout, stderr } = await run({ since: "2025-01-01", until: "2025-02-01", format: "json", org: ORG_B });

      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual([]);
      expect(stderr).toContain("No closed jobs between 2025-01-01 and 2025-02-01 (organisation org_b).");
    });

    test("invalid date exits with code 2", async () => {
      const { code, stderr, stdout } = await run({ since: "2026-02-30" });

      expect(code).toBe(2);
      expect(stderr).toContain('--since must be a calendar date in the form YYYY-MM-DD, such as 2026-03-01 (got "2026-02-30")');
      expect(stdout).toBe("");
    });

    test("reversed range exits with code 2", async () => {
      const { code, stderr } = await run({ since: "2026-03-16", until: "2026-03-01" });

      expect(code).toBe(2);
      expect(stderr).toContain("--since (2026-03-16) must be earlier than --until (2026-03-01)");
    });

    describe("html page", () => {
      const folder = mkdtempSync(join(tmpdir(), "servicebay-report-"));
      const path = join(folder, "report.html");
      let stdout = "";
      let page: ReturnType<typeof parse>;
      afterAll(() => rmSync(folder, { recursive: true, force: true }));

      beforeAll(async () => {
        const result = await run({ html: path });
        expect(result.code).toBe(0);
        stdout = result.stdout;
        page = parse(readFileSync(path, "utf8"));
      });

      test("has one svg", () => {
        expect(page.querySelectorAll("svg").length).toBe(1);
      });

      test("has one mark per group", () => {
        expect(page.querySelectorAll("svg g.mark").length).toBe(2);
        expect(page.querySelectorAll("tbody tr").length).toBe(2);
      });

      test("marks carry the table values", () => {
        const rows = page.querySelectorAll("tbody tr").map((row) => row.querySelectorAll("td").map((cell) => cell.text));
        const marks = page.querySelectorAll("svg g.mark");

        marks.forEach((mark, index) => {
          const row = rows[index] ?? [];
          expect(mark.getAttribute("data-group")).toBe(row[0]);
          expect(Number(mark.getAttribute("data-median-hours"))).toBe(Number(row[2]));
          expect(Number(mark.getAttribute("data-p90-hours"))).toBe(Number(row[3]));
        });
      });

      test("table matches the stdout table", () => {
        const rows = page.querySelectorAll("tbody tr").map((row) => row.querySelectorAll("td").map((cell) => cell.text).join(" "));
        const lines = stdout.trim().split("\n").slice(3).map((line) => line.split(/\s+/).join(" "));

        expect(rows).toEqual(lines);
      });

      test("bar heights are proportional to medians", () => {
        const marks = page.querySelectorAll("svg g.mark");
        const ratios = marks.map((mark) => Number(mark.querySelector("rect.median")?.getAttribute("height")) / Number(mark.getAttribute("data-median-hours")));

        expect(ratios[0]).toBeGreaterThan(0);
        expect(ratios[1]).toBeCloseTo(ratios[0] ?? 0, 2);
      });

      test("p90 ticks sit above the bars", () => {
        for (const mark of page.querySelectorAll("svg g.mark")) {
          const barTop = Number(mark.querySelector("rect.median")?.getAttribute("y"));
          const tickY = Number(mark.querySelector("line.p90")?.getAttribute("y1"));
          expect(tickY).toBeLessThan(barTop);
        }
      });

      test("loads nothing from elsewhere", () => {
        const html = readFileSync(path, "utf8");

        expect(page.querySelectorAll("script, link, img, iframe, object, embed").length).toBe(0);
        expect(page.querySelectorAll("[src], [href]").length).toBe(0);
        expect(html).not.toMatch(/url\(|@import|https?:\/\//i);
        expect(page.querySelectorAll("style").length).toBe(1);
      });
    });
  });
});

describe("report formatting", () => {
  const scope: ReportScope = { by: "technician", range: MARCH, orgId: null };
  const group = (name: string | null, hours: number): DurationGroup => ({ group: name, count: 1, medianHours: hours, p90Hours: hours, meanHours: hours, maxHours: hours });

  test("csv quotes commas, quotes and line breaks", () => {
    const csv = formatCsv([group('Lee, "Sam"', 1), group("two\nlines", 2), group("plain", 3)], scope);

    expect(csv.split("\r\n")).toEqual([
      "technician,count,median_hours,p90_hours,mean_hours,max_hours",
      '"Lee, ""Sam""",1,1,1,1,1',
      '"two\nlines",1,2,2,2,2',
      "plain,1,3,3,3,3",
      "",
    ]);
  });

  test("json keeps a missing group null", () => {
    expect(JSON.parse(formatJson([group(null, 1)], scope))).toEqual([{ technician: null, count: 1, median_hours: 1, p90_hours: 1, mean_hours: 1, max_hours: 1 }]);
  });

  test("table widens for long labels", () => {
    const lines = formatTable([group("a-very-long-technician-name", 1.005)], scope).split("\n");

    expect(lines[2]?.indexOf("count")).toBe(lines[3]?.indexOf("    1") ?? -1);
  });

  test("html escapes database text", () => {
    const html = renderHtmlReport({ scope, groups: [group('<script>alert("x")</script>', 5)], generatedAt: new Date("2026-03-20T00:00:00Z") });
    const page = parse(html);

    expect(html).not.toContain("<script>");
    expect(page.querySelector("td")?.text).toBe('<script>alert("x")</script>');
    expect(page.querySelector("g.mark")?.getAttribute("data-group")).toBe('<script>alert("x")</script>');
  });

  test("html states an empty range", () => {
    const page = parse(renderHtmlReport({ scope, groups: [], generatedAt: new Date("2026-03-20T00:00:00Z") }));

    expect(page.querySelectorAll("svg").length).toBe(0);
    expect(page.querySelector("p.empty")?.text).toBe("No closed jobs between 2026-03-01 and 2026-03-16.");
  });

  test("axis ticks are round numbers", () => {
    expect(axisTicks(235.2)).toEqual([0, 50, 100, 150, 200, 250]);
    expect(axisTicks(38.4)).toEqual([0, 10, 20, 30, 40]);
    expect(axisTicks(0)).toEqual([0, 1]);
  });
});

describe("report day range", () => {
  const now = new Date("2026-12-04T19:00:00Z");

  test("defaults to 12 calendar weeks", () => {
    expect(resolveDayRange({}, now)).toEqual({ since: "2026-09-14", until: "2026-12-05" });
  });

  test("default since follows until", () => {
    expect(resolveDayRange({ until: "2026-03-16" }, now)).toEqual({ since: "2025-12-22", until: "2026-03-16" });
  });

  test("rejects a malformed date", () => {
    expect(() => resolveDayRange({ until: "2026-3-1" }, now)).toThrow('--until must be a calendar date in the form YYYY-MM-DD, such as 2026-03-01 (got "2026-3-1")');
  });
});
