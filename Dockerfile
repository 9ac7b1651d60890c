# One image for `vonnegut serve`, `vonnegut operator` and `vonnegut sidecar`: plain node on the
# JavaScript that `npm run build` compiles, with the production dependencies only.
# e2e/dockerfile-replay.test.ts replays these steps without a container engine; keep them parseable
# (one instruction per line, COPY of relative paths).

# Compiles TypeScript to dist/ (tsc with rewriteRelativeImportExtensions: no bundler, the output
# mirrors the sources, so stack traces and source maps name the files you edit).
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY cli ./cli
COPY node/src ./node/src
COPY operator/src ./operator/src
RUN npm run build

# Production dependencies only. .npmrc carries legacy-peer-deps, without which npm ci refuses the lock.
# --ignore-scripts: no dependency needs an install script (native codecs ship prebuilt binaries).
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY --from=build /app/dist ./dist
RUN ln -s /app/bin/vonnegut.js /usr/local/bin/vonnegut && mkdir -p /var/lib/vonnegut && chown node:node /var/lib/vonnegut
# The `node` user (uid 1000) of the base image; the pod security contexts assume this uid.
USER 1000:1000
EXPOSE 9092 9644 8080
ENTRYPOINT ["vonnegut"]
CMD ["serve"]
