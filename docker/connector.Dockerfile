# asterisk-b24 connector image — built FROM the archive `pnpm bundle` ships to customers and installed
# by that archive's own install.sh, so the container runs exactly what the offline install and the
# packaging tests (packages/testkit/test/packaging/) run. Only the fixed user id is container-specific.
#
#   pnpm bundle connector
#   docker build -f docker/connector.Dockerfile --build-arg VERSION=0.1.0 -t asterisk-b24/connector:0.1.0 .
#   (or: docker-compose -f docker/compose.yaml up -d --build)
FROM node:20-slim

ARG VERSION=0.1.0
# A fixed uid/gid so volumes and mounted config files can be given to it on the host.
ARG APP_UID=10077

# ADD unpacks a local .tar.gz into the folder.
ADD dist/bundles/connector-${VERSION}-linux-x64.tar.gz /tmp/bundle/
RUN groupadd --system --gid "${APP_UID}" asterisk-b24 \
 && useradd --system --uid "${APP_UID}" --gid asterisk-b24 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin asterisk-b24 \
 && /tmp/bundle/connector-${VERSION}-linux-x64/install.sh --no-systemd \
 && rm -rf /tmp/bundle

USER asterisk-b24
WORKDIR /var/lib/asterisk-b24/connector
ENV NODE_ENV=production
EXPOSE 8077
VOLUME ["/var/lib/asterisk-b24/connector"]
# Node's own fetch (no curl in the image); reads http.port / http.auth from /etc/asterisk-b24/connector.json
# (/status answers 503 while the connector is in Error); HEALTHCHECK_URL overrides the URL.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/opt/asterisk-b24/connector/current/lib/healthcheck.mjs"]
ENTRYPOINT ["/opt/asterisk-b24/connector/current/bin/connector"]
CMD ["run", "--config", "/etc/asterisk-b24/connector.json"]
