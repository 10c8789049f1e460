#!/usr/bin/env bash
# podman with this project's containers.conf (runc, ulimits: see containers.conf) when runc is here.
# Used by build.sh and by ContainerImageIT for every podman command; any podman arguments work:
#   server-config/image/podman.sh ps -a
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -z "${CONTAINERS_CONF:-}" ] && command -v runc >/dev/null 2>&1; then
  export CONTAINERS_CONF="$here/containers.conf"
fi
command -v podman >/dev/null 2>&1 || {
  echo "podman.sh: podman not found: apt-get install -y podman runc mmdebstrap (.ci/run does)" >&2
  exit 127
}
exec podman "$@"
