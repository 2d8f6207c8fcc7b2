# syntax=docker/dockerfile:1
# One image for every Rushline process (the last stage, the default target); the command picks which runs:
#   api (default)   node dist/api/src/main.js            port 3000
#   waiting room    node dist/waiting-room/src/main.js   port 3001
#   worker          node dist/worker/src/main.js         port 3002 (health only)
#   migrations      node dist/scripts/migrate.js
#   demo data       node dist/scripts/seed.js --if-empty --allow-production   (a demo only: published passwords)
# NODE_ENV=production: the processes refuse to start without JWT_SECRET, ADMISSION_PRIVATE_KEY (or
# ADMISSION_PUBLIC_KEY), ADMISSION_KEY_ID and a DATABASE_URL of their own (see .env.example).

# Node 26, the LTS the project runs on everywhere (package.json's engines, scripts/lib/ensure-node.sh).
ARG NODE_IMAGE=node:26-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app

# All dependencies, for the TypeScript build. Only the manifests are copied, so this layer is reused
# until package-lock.json changes.
FROM base AS deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm install --no-audit --no-fund

FROM deps AS build
COPY . .
# tsc -p tsconfig.build.json: dist/ mirrors the source tree (dist/api/src/main.js, dist/migrations/…).
RUN npm run build

# The gateway: nginx serving the built web app and routing /api, /rooms, /operator and /socket.io to the
# apps, from the same template the project's own scripts use (deploy/nginx/). nginx's image fills the
# template's ${RUSHLINE_*} from the environment at start. `docker build --target gateway .`
FROM nginx:1.27-alpine AS gateway
RUN rm -f /etc/nginx/conf.d/default.conf
COPY deploy/nginx/rushline.conf.template /etc/nginx/templates/rushline.conf.template
COPY --from=build /app/dist/web /usr/share/nginx/html
ENV RUSHLINE_API_UPSTREAM=api:3000 \
    RUSHLINE_WAITING_ROOM_UPSTREAM=waiting-room:3001 \
    RUSHLINE_GATEWAY_LISTEN=8080 \
    RUSHLINE_WEB_ROOT=/usr/share/nginx/html \
    NGINX_ENVSUBST_FILTER=^RUSHLINE_
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/gateway/healthz"]

# Production dependencies only, installed on their own so no dev package reaches the runtime image.
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm install --omit=dev --no-audit --no-fund

FROM base AS runtime
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    HEALTHCHECK_PORT=3000
# Files stay owned by root and the process runs as `node`: the app cannot rewrite its own code.
COPY --from=prod-deps /app/node_modules ./node_modules
# package.json carries "type": "module", which makes node load dist/**/*.js as ES modules.
COPY package.json ./
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000 3001 3002
# No curl in the slim image; node's fetch does the job. Set HEALTHCHECK_PORT to the process's port
# (3001 for the waiting room, 3002 for the worker); migrations and seed have no HTTP, disable it there.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.HEALTHCHECK_PORT}/healthz`, { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/api/src/main.js"]
