# syntax=docker/dockerfile:1
# Image of the servicebay-sync worker. Build from the repository root:
#   docker build -t servicebay-sync:0.1.0 .
# The default command is `start` (scheduled syncs); pass `sync` to run once and exit.

ARG NODE_IMAGE=node:24.21.0-slim

# Build stage: all dependencies, then the TypeScript build into dist/.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts are skipped: the `prepare` script would build before the sources are copied,
# and the only other install scripts belong to development tools (the embedded PostgreSQL of
# the demo, esbuild), which the build does not use.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies only, the built output, the launcher and the migrations.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# `prepare` runs tsc, a development dependency, so scripts are skipped here too. No production
# dependency has an install script; the .ci/run step "Container runtime install" checks that
# this install is enough to run every command's --help.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY migrations ./migrations
COPY --from=build /app/dist ./dist
# The files stay owned by root, so the worker cannot change its own code.
USER node
ENTRYPOINT ["node", "/app/bin/servicebay-sync.js"]
CMD ["start"]
