# One image for `vonnegut serve`, `vonnegut operator` and `vonnegut sidecar`.
# TypeScript runs through tsx (a regular dependency), so there is no build stage: the image holds the
# sources and the production dependencies only.
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency needs an install script (native codecs ship prebuilt binaries).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY node/src ./node/src
COPY operator/src ./operator/src
RUN ln -s /app/bin/vonnegut.js /usr/local/bin/vonnegut && mkdir -p /var/lib/vonnegut && chown node:node /var/lib/vonnegut
# The `node` user (uid 1000) of the base image; the pod security contexts assume this uid.
USER 1000:1000
EXPOSE 9092 9644 8080
ENTRYPOINT ["vonnegut"]
CMD ["serve"]
