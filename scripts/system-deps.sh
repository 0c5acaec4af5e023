#!/usr/bin/env bash
# Installs the system programs Marshal's tests and local run start for themselves (Redis, OpenSSH,
# HAProxy, Pebble), only those missing. Debian/Ubuntu with apt; needs root (or sudo) when something is missing.
#   system-deps.sh        what the tests and benchmarks need (npm test)
#   system-deps.sh demo   only what the local run needs (npm run demo): Redis and OpenSSH
#   system-deps.sh <profile> --list   the packages of that profile, installing nothing
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/apt-lock.sh"
profile=${1:-tests}
# The local run (src/local/demo): a Redis, sshd hosts in their own mount namespaces. Nothing else.
declare -A demo_pkg_of=(
  [redis-server]=redis-server
  [sshd]=openssh-server
  [ssh-keygen]=openssh-client
  [unshare]=util-linux
  [mount]=mount
)
declare -A pkg_of=(
  [redis-server]=redis-server
  [redis-sentinel]=redis-sentinel # test/integration/engine/sentinel-failover: a real primary failover
  [sshd]=openssh-server
  [ssh-keygen]=openssh-client
  [unshare]=util-linux
  [ansible-inventory]=ansible # test/integration/inventory compares the Ansible import with real Ansible
  [mount]=mount
  [runsvdir]=runit  # fleet hosts have no systemd: their services are supervised by runit (sv)
  [python3]=python3 # the HTTP backends fleet hosts serve (python3 -m http.server)
  [pebble]=pebble # ACME test server; the package also ships pebble-challtestsrv (src/local/acme)
  [openssl]=openssl # the test CA signs ECDSA leaves with it (src/local/acme/test-ca.ts)
  [nginx]=nginx # the TLS server on fleet hosts (src/local/acme/fleet-nginx.ts)
  [haproxy]=haproxy # the load balancer block, the example workflows and the traffic tests (runtime API)
  [knotd]=knot # DNS tests: an authoritative server taking RFC 2136 updates with TSIG
  [knsupdate]=knot-dnsutils # the RFC 2136 client Marshal drives (and kdig for read-back in tests)
  [curl]=curl # fleet hosts fetch OS images from the loopback image server (the A/B-slot upgrade profile)
  [tar]=tar   # OS images for the fleet's A/B-slot tool are tar archives (src/local/os-images.ts)
  [prometheus]=prometheus # test/integration/metrics: a real Prometheus scrapes Marshal's /metrics
  [promtool]=prometheus # checks and unit-tests the alert rules in deploy/prometheus
  [chromium]=chromium # test/integration/console: the console in a real headless browser (playwright-core)
)
case "$profile" in
  tests) ;;
  demo)
    unset pkg_of
    declare -A pkg_of
    for cmd in "${!demo_pkg_of[@]}"; do pkg_of[$cmd]=${demo_pkg_of[$cmd]}; done
    ;;
  *)
    echo "system-deps: unknown profile \"$profile\"; use demo or tests" >&2
    exit 2
    ;;
esac
# --list: the packages of the profile, one a line (what it would install on a bare machine).
if [ "${2:-}" = --list ]; then
  printf '%s\n' "${pkg_of[@]}" | sort -u
  exit 0
fi
missing=()
for cmd in "${!pkg_of[@]}"; do
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ]; then missing+=("${pkg_of[$cmd]}"); fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
echo "system-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "system-deps: need root to install ${missing[*]} (apt-get install -y ${missing[*]})" >&2; exit 1; }
  sudo=sudo
fi
command -v apt-get >/dev/null || { echo "system-deps: no apt-get here; install ${missing[*]} with your package manager" >&2; exit 1; }
# Another apt may be running (unattended upgrades on a fresh machine, a parallel install): wait for its
# lock, bounded, and say so, rather than fail. apt's own timeout covers one taking it after this check.
wait_for_apt_locks
$sudo apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts services on install; Marshal starts its own on free ports, so stop the defaults it does not use.
if printf '%s\n' "${missing[@]}" | grep -qx nginx; then
  # Fleet hosts run their own nginx on their own addresses; the package's default site is not wanted.
  $sudo systemctl disable --now nginx >/dev/null 2>&1 || $sudo service nginx stop >/dev/null 2>&1 || true
fi
if printf '%s\n' "${missing[@]}" | grep -qx haproxy; then
  $sudo service haproxy stop >/dev/null 2>&1 || true
fi
