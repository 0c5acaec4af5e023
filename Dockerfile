# Two stages: the build stage compiles the TypeScript (dev dependencies: tsc); the image holds only the
# compiled JavaScript (dist/), the production dependencies, and no TypeScript loader, dev dependency
# or src/local (the test fleet and Slack stand-in). `npm run build` does the same in a checkout.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm install`, not `npm ci`: see .ci/run (npm/cli#9846). It installs the locked versions.
RUN npm install --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.js ./scripts/
COPY src ./src
COPY commands ./commands
COPY workflows ./workflows
RUN node scripts/build.js

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# TypeScript comes along only as an optional peer of valibot (a production dependency's dependency), which
# npm installs unless optional packages are omitted too (that would drop resvg's native binary): remove it.
RUN npm install --omit=dev --no-audit --no-fund --ignore-scripts \
  && rm -rf node_modules/typescript node_modules/.bin/tsc node_modules/.bin/tsserver \
  && npm cache clean --force
COPY bin ./bin
COPY --from=build /app/dist ./dist
COPY bundles ./bundles
USER node
ENTRYPOINT ["node", "--max-semi-space-size=4", "bin/marshal.js"]
CMD ["serve"]
