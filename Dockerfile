# syntax=docker/dockerfile:1

# ---- build: install everything, compile, then bundle into one file plus the few packages read from disk ----
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY nest-cli.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build && npm run bundle

# ---- runtime: the bundle (~25 MB instead of ~280 MB of node_modules), as a non-root user ----
FROM node:24-alpine AS runtime
ENV NODE_ENV=production \
    PORT=8000 \
    HOST=0.0.0.0
WORKDIR /app
COPY --from=build --chown=1000:1000 /app/bundle ./
USER 1000:1000
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "main.js"]
