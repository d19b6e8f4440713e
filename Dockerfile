# The operator image: `portico serve` and the other CLI commands. Multi-stage: the build stage
# compiles TypeScript (dev dependencies, generated proto types); the runtime stage holds only the
# compiled JavaScript and production dependencies, and runs as a non-root user.
#   docker build -t portico:0.1.0 .
FROM node:20-bookworm-slim AS build
WORKDIR /src
# The "prepare" script generates the Envoy proto types during npm ci, so it and the list of
# protos it reads come first.
COPY package.json package-lock.json ./
COPY xds-server/scripts ./xds-server/scripts
COPY xds-server/src/protos/root-protos.json ./xds-server/src/protos/root-protos.json
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY observability/src ./observability/src
COPY operator/src ./operator/src
COPY xds-server/src ./xds-server/src
RUN npm run build \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# A numeric user, so Kubernetes can verify runAsNonRoot; it owns nothing in the image.
USER 65532:65532
EXPOSE 18000 9090
ENTRYPOINT ["node", "dist/operator/src/cli/main.js"]
CMD ["serve", "--in-cluster", "--xds-address=0.0.0.0:18000", "--health-address=0.0.0.0:9090"]
