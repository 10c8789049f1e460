#!/usr/bin/env bash
# TomEE 9 MicroProfile (Tomcat 10.0, Jakarta EE 9.1 Web Profile plus MicroProfile Config and Health)
# with target/lhttp.war deployed as ROOT.war: the chat page at http://localhost:8080/, LHTTP at
# ws://localhost:8080/, readiness at http://localhost:8080/publish/health/ready (MicroProfile Health
# is served under the WAR's JAX-RS application path, /publish).
#
#   mvn package -DskipTests && server-config/tomee.sh [-Dlhttp.key=value ...]
#
# The distribution (org.apache.tomee:apache-tomee:zip:microprofile) is unpacked from the local Maven
# repository into target/servers/ on first use. The server runs with CATALINA_BASE on a copy of its
# conf/ in target/tomee/, made anew at every start, with ROOT.war as the only application (TomEE's
# own ROOT, docs and manager apps are left out). Another port: PORT=9080. -D options are passed in
# CATALINA_OPTS and reach MicroProfile Config as system properties. Stop with Ctrl-C.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
war="${LHTTP_WAR:-$root/target/lhttp.war}"
version="$(sed -n 's:.*<tomee.version>\([0-9][^<]*\)</tomee.version>.*:\1:p' "$root/pom.xml")"
home="$root/target/servers/apache-tomee-microprofile-$version"
base="$root/target/tomee"

[ -f "$war" ] || { echo "tomee.sh: no $war: run 'mvn package -DskipTests' first" >&2; exit 1; }
if [ ! -d "$home" ]; then
    (cd "$root" && mvn -q dependency:unpack@containers)
fi
rm -rf "$base"
mkdir -p "$base/webapps" "$base/logs" "$base/temp" "$base/work"
cp -r "$home/conf" "$base/conf"
cp "$war" "$base/webapps/ROOT.war"
# The shutdown port off (stop with a signal), the HTTP connector on PORT.
sed -i -e 's/<Server port="[0-9]*"/<Server port="-1"/' \
    -e "s/<Connector port=\"8080\" protocol=\"HTTP\/1.1\"/<Connector port=\"${PORT:-8080}\" protocol=\"HTTP\/1.1\"/" \
    "$base/conf/server.xml"
export CATALINA_HOME="$home" CATALINA_BASE="$base"
export CATALINA_OPTS="${CATALINA_OPTS:-} $*"
exec sh "$home/bin/catalina.sh" run
