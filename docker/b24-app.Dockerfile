# asterisk-b24 b24-app image — built FROM the archive `pnpm bundle` ships to customers and installed
# by that archive's own install.sh, so the container runs exactly what the offline install and the
# packaging tests (packages/testkit/test/packaging/) run. Only the fixed user id is container-specific.
#
#   pnpm bundle b24-app
#   docker build -f docker/b24-app.Dockerfile --build-arg VERSION=0.1.0 -t asterisk-b24/b24-app:0.1.0 .
#   (or: docker-compose -f docker/compose.yaml up -d --build)
FROM node:20-slim

ARG VERSION=0.1.0
# A fixed uid/gid so volumes and mounted config files can be given to it on the host.
ARG APP_UID=10077

# ADD unpacks a local .tar.gz into the folder.
ADD dist/bundles/b24-app-${VERSION}-linux-x64.tar.gz /tmp/bundle/
RUN groupadd --system --gid "${APP_UID}" asterisk-b24 \
 && useradd --system --uid "${APP_UID}" --gid asterisk-b24 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin asterisk-b24 \
 && /tmp/bundle/b24-app-${VERSION}-linux-x64/install.sh --no-systemd \
 && rm -rf /tmp/bundle

USER asterisk-b24
WORKDIR /var/lib/asterisk-b24/b24-app
ENV NODE_ENV=production
EXPOSE 8090
VOLUME ["/var/lib/asterisk-b24/b24-app"]
# Node's own fetch (no curl in the image); HEALTHCHECK_URL overrides http://127.0.0.1:8090/status.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/opt/asterisk-b24/b24-app/current/lib/healthcheck.mjs"]
ENTRYPOINT ["/opt/asterisk-b24/b24-app/current/bin/b24-app"]
CMD ["--config", "/etc/asterisk-b24/b24-app.json"]
