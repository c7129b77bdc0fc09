# syntax=docker/dockerfile:1
# Images of the onboarding worker (default target `worker`) and of the local AEP emulator (target `emulator`).
# glibc (Debian) rather than Alpine: the Temporal core bridge ships no musl build.
#   docker build -t aep-onboarding-worker .
#   docker build --target emulator -t aep-onboarding-emulator .
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# Compiles src/ to dist/ with tsconfig.build.json (`npm run build`) and bundles the workflows into
# dist/workflow-bundle.js (`npm run build:bundle`), so the worker never runs webpack (README, "Memory"). No install
# scripts (package.json's allowScripts turns them down too): the native parts (Temporal core bridge, swc, esbuild)
# come as prebuilt platform packages.
FROM base AS build
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/bundle-workflows.ts ./scripts/
RUN npm run build \
    && npm run build:bundle \
    && test -f dist/worker.js && test -f dist/workflows/index.js && test -f dist/emulator/main.js \
    && test -s dist/workflow-bundle.js \
    && mkdir -p /out \
    && cp -a dist /out/emulator \
    && cp -a dist /out/worker \
    && rm -rf /out/worker/emulator /out/worker/dev /out/emulator/workflow-bundle.js

# Runtime dependencies only, from the same lockfile.
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts

# `docker compose --profile local`: the AEP emulator, listening on all interfaces of its container.
FROM base AS emulator
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /out/emulator ./dist
COPY package.json ./
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8090
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:8090/__emulator/faults').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/emulator/main.js", "--host", "0.0.0.0", "--port", "8090"]

# The worker: dist/ without the emulator and the dev launcher, which it never loads, with the prebuilt workflow
# bundle. Also runs the CLI: `docker compose exec worker node dist/cli/main.js start "Support chat"`.
# Memory (README, "Memory"): V8 heaps capped (each of the main and the workflow thread: old space 160 MB, young 3 x 4 MB)
# with the workflow cache sized explicitly (the SDK would derive 10 from such a heap, fewer than the runs in flight),
# and 2 glibc arenas instead of one per thread: 210-240 MB peak at 50 onboardings in flight instead of 300-340.
# No --enable-source-maps: the SDK maps workflow stack traces itself, and with the flag every function the SDK compiles
# for a workflow promise's stack trace goes through Node's source map cache (10 % of the worker's CPU, README,
# "Performance"). Activity stack traces name dist/*.js; add the flag to NODE_OPTIONS to read them as TypeScript.
FROM base AS worker
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=160 --max-semi-space-size=4" \
    MALLOC_ARENA_MAX=2 \
    WORKER_MAX_CACHED_WORKFLOWS=100 \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /out/worker ./dist
COPY package.json ./
COPY deploy/worker-healthcheck.mjs ./deploy/
USER node
# The worker serves no port: healthy means this container polls its task queue (see the script).
HEALTHCHECK --interval=30s --timeout=15s --start-period=60s --retries=3 \
    CMD ["node", "deploy/worker-healthcheck.mjs"]
CMD ["node", "dist/worker.js"]
