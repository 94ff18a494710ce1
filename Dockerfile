# klaviyo-relay image: the service runs its TypeScript sources directly on Node 24 (native type
# stripping), so there is no build step. Used by docker-compose.yml for `relay` and `klaviyo-sandbox`.
FROM node:24-slim

WORKDIR /app
ENV NODE_ENV=production
# A small young generation and two malloc arenas keep resident memory near what is in use
# (bench/lib/relay-node-flags.ts says why and by how much).
ENV NODE_OPTIONS="--max-semi-space-size=2"
ENV MALLOC_ARENA_MAX=2

# Dependencies first, so editing sources does not invalidate the npm layer. Dev dependencies (test
# tooling, and the `node` package that pins Node for the host scripts) are not needed: the image's own
# Node 24 runs the service.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error && npm cache clean --force

COPY . .

USER node
# 9464: health and metrics of the relay; 8787: the Klaviyo sandbox when run with `sandbox --port 8787`.
EXPOSE 9464 8787
CMD ["node", "src/cli/main.ts", "run"]
