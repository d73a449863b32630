import { defineConfig } from "drizzle-kit";

// Only `drizzle-kit generate` uses this file, and it needs no database connection.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./migrations",
  schemaFilter: ["servicebay"],
});
