FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# `npm install`, not `npm ci`: see .ci/run (npm/cli#9846). It installs the locked versions.
RUN npm install --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY commands ./commands
COPY workflows ./workflows
COPY bundles ./bundles
USER node
ENTRYPOINT ["node", "bin/marshal.js"]
CMD ["serve"]
