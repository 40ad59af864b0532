# syntax=docker/dockerfile:1
# Build stage: all dependencies, generate the Prisma client.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY prisma ./prisma
COPY prisma.config.ts tsconfig.json tsconfig.build.json ./
RUN npx prisma generate
COPY src ./src
COPY locales ./locales
COPY web ./web
# Type-checks and compiles src/ to dist/: the image runs JavaScript, without tsx or esbuild.
# Vite builds the coordinators' console into dist/web/console (served by the bot itself).
# A new embedded database starts from a template made here (dist/pglite-template.tar.gz): the
# bot's first start then skips initdb and its memory peak.
RUN npx tsc -p tsconfig.build.json && npx vite build --config web/console/vite.config.ts && node dist/cli/make-template.js

# Runtime stage: production dependencies only, non-root.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    DATA_DIR=/app/data/pglite \
    TZ=Asia/Phnom_Penh
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/locales ./locales
COPY --from=build /app/prisma/migrations ./prisma/migrations
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
VOLUME ["/app/data"]
# The webhook (BOT_MODE=webhook), the health endpoint, /healthz, in both modes, and with PUBLIC_URL
# the coordinators' console (/console/) and its API (/api/v1/).
ENV PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The image holds dist/ and no sources: npm skips the pre-scripts that build dist/ in a checkout,
# so `npm run cli -- …` and `npm run migrate` run the compiled JavaScript here too.
ENV npm_config_ignore_scripts=true
# Migrations are applied on start; `npm run migrate` applies them on their own.
# The JavaScript heap is capped (MAX_HEAP_MB, as in `npm start`): exports stream, and a capped
# heap keeps the process well under 400 MB with the embedded database.
ENV MAX_HEAP_MB=192
CMD ["sh", "-c", "exec node --max-old-space-size=${MAX_HEAP_MB} --enable-source-maps dist/app/main.js"]
