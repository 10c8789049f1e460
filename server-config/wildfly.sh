#!/usr/bin/env bash
# WildFly 39 (standalone-microprofile.xml: MicroProfile Config, Health and OpenAPI) with target/lhttp.war
# deployed as ROOT.war: the chat page at http://localhost:8080/, LHTTP at ws://localhost:8080/,
# readiness at http://localhost:9990/health/ready (the management port), the OpenAPI document at
# http://localhost:8080/openapi for clients on this host only (server-config/wildfly-operator-only.txt).
#
#   mvn package -DskipTests && server-config/wildfly.sh [-Dlhttp.key=value ...]
#
# The distribution (org.wildfly:wildfly-dist zip) is unpacked from the local Maven repository into
# target/servers/ on first use. The server runs on a copy of its standalone/ directory in
# target/wildfly/, made anew at every start, so the unpacked distribution stays as shipped.
# Other ports: PORT=9080 MANAGEMENT_PORT=9991. Listens on 127.0.0.1; add -Djboss.bind.address=0.0.0.0
# for other machines. -D options reach MicroProfile Config as system properties. Stop with Ctrl-C.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
war="${LHTTP_WAR:-$root/target/lhttp.war}"
version="$(sed -n 's:.*<wildfly.version>\([0-9][^<]*\)</wildfly.version>.*:\1:p' "$root/pom.xml")"
home="$root/target/servers/wildfly-$version"
base="$root/target/wildfly"

[ -f "$war" ] || { echo "wildfly.sh: no $war: run 'mvn package -DskipTests' first" >&2; exit 1; }
if [ ! -d "$home" ]; then
    (cd "$root" && mvn -q dependency:unpack@containers)
fi
rm -rf "$base"
cp -r "$home/standalone" "$base"
cp "$war" "$base/deployments/ROOT.war"
# WildFly's own /openapi is outside the WAR: an Undertow filter keeps it to this host (docs/SECURITY.md).
config="$base/configuration/standalone-microprofile.xml"
FILTER="$(grep -v '^#' "$root/server-config/wildfly-operator-only.txt")" awk '
    /<host name="default-host"/ && !h { print; print "                    <filter-ref name=\"lhttp-operator-only\"/>"; h = 1; next }
    /<\/servlet-container>/ && !f {
        print; print "            <filters>"
        print "                <expression-filter name=\"lhttp-operator-only\" expression=\"" ENVIRON["FILTER"] "\"/>"
        print "            </filters>"; f = 1; next }
    { print }
    END { if (!h || !f) { print "wildfly.sh: no default-host or servlet-container in the configuration" > "/dev/stderr"; exit 1 } }
' "$home/standalone/configuration/standalone-microprofile.xml" > "$config"
exec sh "$home/bin/standalone.sh" -c standalone-microprofile.xml -Djboss.server.base.dir="$base" \
    -Djboss.http.port="${PORT:-8080}" -Djboss.management.http.port="${MANAGEMENT_PORT:-9990}" "$@"
