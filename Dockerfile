# syntax=docker/dockerfile:1
#
# One image for both processes:
#   ledger-api        the default command
#   ledger-projector  node dist/apps/ledger-projector/src/main.js   (compose: `command:`)
# and for the CLI:    node dist/apps/ledger-cli/src/main.js projections status
#
#   docker build -t loyalty-ledger .

# ---- build: compile TypeScript and the native module, then drop the dev dependencies ----------
FROM node:20-bookworm AS build

# better-sqlite3 compiles from source when no prebuilt binary matches (about two minutes).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

# package.json's `allowScripts` (better-sqlite3's build approved; protobufjs, @scarf/scarf and
# @parcel/watcher refused) is honoured by npm 11, the version the project is developed and tested
# with. Node 20 ships npm 10, which would run every install script.
ARG NPM_VERSION=11.19.1
RUN npm install --global npm@${NPM_VERSION}

# swagger-ui-dist's install-time telemetry: off even if its script were ever approved.
ENV SCARF_ANALYTICS=false
WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: compiled code, production node_modules, package.json; nothing else --------------
FROM node:20-bookworm-slim AS runtime

# HOST: the container's own interface, reached through the published port. LEDGER_ENV=production:
# refuse to start without API keys, never print a first-start admin key from a listening container.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LEDGER_ENV=production \
    LEDGER_DATA_DIR=/data

WORKDIR /app
# Owned by root and read-only to the service user: the application cannot modify itself.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

# The embedded store (events.sqlite, read-models.sqlite) and the keys file live here.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]

# `node` (uid 1000) comes with the official image.
USER node
EXPOSE 3000

# Liveness only: a database blip must not get the API restarted (GET /health/ready is for load
# balancers). The projector serves no HTTP: compose disables this check for it.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live', { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "dist/apps/ledger-api/src/main.js"]
