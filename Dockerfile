# The lhttp server image: Payara Micro with the WAR (target/lhttp.jar), on any Java 17+ image.
# Build after `mvn package -DskipTests`, from the top of the project:
#   docker build -t lhttp .                # or: podman build -t lhttp .
#   docker run -p 8080:8080 -e LHTTP_PUBLISH_TOKEN=secret lhttp
# Without a registry (CI): server-config/image/build.sh makes the base from Debian packages and
# builds this file with --build-arg BASE_IMAGE=localhost/lhttp-base:bookworm. docs/CONTAINERS.md.
#
# BASE_IMAGE: any image with `java` (17 or later) on the PATH. Nothing below runs a shell or a
# package manager in it (no RUN), so distroless and jlink'd images work as well as Temurin.
ARG BASE_IMAGE=eclipse-temurin:17-jre
FROM ${BASE_IMAGE}

LABEL org.opencontainers.image.title="lhttp" \
      org.opencontainers.image.description="LHTTP/1.0 WebSocket messaging server (Payara Micro uberjar)" \
      org.opencontainers.image.licenses="Apache-2.0"

# Non-root: a numeric uid needs no /etc/passwd entry (and no RUN useradd). The files are root's and
# read-only to it; Payara Micro unpacks its runtime under /tmp (java.io.tmpdir), which must be writable.
COPY --chown=0:0 target/lhttp.jar target/lhttp-healthcheck.jar /opt/lhttp/
WORKDIR /tmp
USER 10001:10001
ENV HOME=/tmp

# JVM flags, read by the java launcher itself (no shell in between): heap sized from the container's
# memory limit, exit at once on OutOfMemoryError so the engine restarts it. To change them, give
# the whole list: docker run -e JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError" …
# (JAVA_TOOL_OPTIONS adds to them instead.) The launcher prints one "Picked up" line when it is set.
ENV JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError"

# Every lhttp.* key is an environment variable (MicroProfile Config: upper case, '.' and '-' as '_'):
#   LHTTP_PUBLISH_TOKEN=…  (needed for POST /publish through a port forward: docs/CONTAINERS.md)
#   LHTTP_NATS_URL=nats://nats:4222  LHTTP_HISTORY_CHANNELS=chatroom  LHTTP_SHUTDOWN_DRAIN_MS=5000
EXPOSE 8080

# Readiness (503 while a configured NATS is down) with the JDK only: no curl or shell needed.
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 \
  CMD ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx16m", "-Xss512k", "-cp", "/opt/lhttp/lhttp-healthcheck.jar", "io.lhttp.image.HealthCheck"]

# Exec form: java is PID 1 and gets the engine's SIGTERM itself; it refuses new connections, drains
# for lhttp.shutdown-drain-ms (5 s) and exits on its own (status 143). Payara Micro's default port
# is 8080; arguments after the image name replace CMD (e.g. --port 9090, then publish that port).
ENTRYPOINT ["java", "-jar", "/opt/lhttp/lhttp.jar"]
CMD ["--port", "8080"]
