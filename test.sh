#!/usr/bin/env bash
# Runs every CityTwin test. Usage: bash test.sh
# Needs Go 1.27.3 or newer; an older Go fetches it from the module proxy
# (GOTOOLCHAIN=auto: go.mod names the version). Tests that use the
# CityFlow benchmark datasets read the folder named by CITYTWIN_DATASETS
# and skip where it is unset.
set -euo pipefail
cd "$(dirname "$0")"
# Some Go installs (Debian's, this project's CI machine) default to
# GOTOOLCHAIN=local, which refuses go.mod's newer version instead of
# fetching it.
export GOTOOLCHAIN=auto
go version

# A full run builds 2-3 GB into Go's build cache, which Go trims only
# of entries unused for days: on a machine that runs it many times a day the
# cache can fill the disk, and the tests then fail on "no space left on
# device". Below 6 GiB free, the cache is emptied first (it is only a
# cache); below 2 GiB after that, the run stops and says so.
gocache=$(go env GOCACHE)
free_kib() { df -Pk "$1" 2>/dev/null | awk 'NR==2 {print $4}'; }
if [ -d "$gocache" ] && [ "$(free_kib "$gocache")" -lt $((6 * 1024 * 1024)) ]; then
  echo "less than 6 GiB free on the disk of $gocache: emptying Go's build cache (go clean -cache)"
  go clean -cache
fi
if [ -d "$gocache" ] && [ "$(free_kib "$gocache")" -lt $((2 * 1024 * 1024)) ]; then
  echo "test.sh: less than 2 GiB free on the disk of $gocache ($(free_kib "$gocache") KiB); the build needs more" >&2
  exit 1
fi

# apt_install PKG...: as root, installs the Debian packages of the list
# that are missing (retrying while another apt holds the lock); prints what
# is still missing, if anything.
apt_install() {
  local missing="" p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  if [ -n "$missing" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing:$missing" >&2
    for try in 1 2 3 4 5 6; do
      apt-get update -qq -o DPkg::Lock::Timeout=600 >/dev/null && break
      echo "apt-get update failed (try $try); retrying in 10 s" >&2; sleep 10
    done
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 \
      $missing >/dev/null || true
    missing=""
    for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  fi
  echo "$missing"
}

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet (CGO_ENABLED=0: nothing outside the viewer may need cgo)"
CGO_ENABLED=0 go vet ./...

# --- Static analysis: staticcheck and govulncheck --------------------------
# Both fail the run on any finding. The tools are built once per Go and
# tool version into a cache (CITYTWIN_TOOLS, default ~/.cache/citytwin/tools)
# with the Go release go.mod names, so that they understand its language
# version. govulncheck reads a local copy of the Go vulnerability database,
# built from the golang.org/x/vulndb module (fetched through the module
# proxy like any module) with its own indexdb command: no other network
# access is needed.
staticcheck_version=v0.8.2
govulncheck_version=v1.9.0
vulndb_version=v0.0.0-20261105234957-e22db6528018
goversion=$(go env GOVERSION)
tools="${CITYTWIN_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/citytwin/tools}/$goversion"
install_tool() { # binary module/cmd@version
  if [ ! -x "$tools/bin/$1.$3" ]; then
    echo "building $2@$3 into $tools/bin"
    mkdir -p "$tools/bin"
    GOTOOLCHAIN=$goversion GOBIN="$tools/bin" go install "$2@$3"
    mv "$tools/bin/$1" "$tools/bin/$1.$3"
  fi
}
install_tool staticcheck honnef.co/go/tools/cmd/staticcheck $staticcheck_version
install_tool govulncheck golang.org/x/vuln/cmd/govulncheck $govulncheck_version
vulndb="$tools/vulndb-$vulndb_version"
if [ ! -f "$vulndb/index/db.json" ]; then
  install_tool indexdb golang.org/x/vulndb/cmd/indexdb $vulndb_version
  src=$(go mod download -json "golang.org/x/vulndb@$vulndb_version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$src/data/osv" ] || { echo "cannot find the vulnerability data of golang.org/x/vulndb@$vulndb_version"; exit 1; }
  echo "building the vulnerability database into $vulndb"
  rm -rf "$vulndb.tmp"
  "$tools/bin/indexdb.$vulndb_version" -vulns "$src/data/osv" -out "$vulndb.tmp"
  rm -rf "$vulndb" && mv "$vulndb.tmp" "$vulndb"
fi
echo "== staticcheck $staticcheck_version"
CGO_ENABLED=0 "$tools/bin/staticcheck.$staticcheck_version" ./...
echo "== govulncheck $govulncheck_version (database golang.org/x/vulndb@$vulndb_version)"
CGO_ENABLED=0 "$tools/bin/govulncheck.$govulncheck_version" -db "file://$vulndb" ./...

# --- SUMO ------------------------------------------------------------------
# The SUMO reader's tests and bench/sumocase compare with SUMO's own tools
# (netgenerate, netconvert, duarouter, sumo, randomTrips.py), check FCD XML
# with xmllint against SUMO's fcd_file.xsd, and convert the Monaco PBF for
# netconvert with osmium; the TraCI server's tests (twin/traci) drive it with
# SUMO's own Python client (sumo-tools' traci and sumolib) and compare with
# sumo through it. As root the Debian packages are installed, and the tests
# that need them skip with a message otherwise.
missing=$(apt_install sumo sumo-tools libxml2-utils osmium-tool)
[ -z "$missing" ] || echo "missing:$missing: the tests that need them skip"
export SUMO_HOME="${SUMO_HOME:-/usr/share/sumo}"

# --- The browser dashboard (twin/web) --------------------------------------
# Its tests drive Debian's headless Chromium with chromedp against a running
# `citytwin serve` (about half a minute); as root the packages are installed,
# and the tests skip with a message otherwise.
missing=$(apt_install chromium fonts-dejavu-core)
[ -z "$missing" ] || echo "missing:$missing: the dashboard's browser tests skip"

echo "== go test"
CGO_ENABLED=0 go test -count=1 ./...

# --- The same bits on every architecture (issue 21) -------------------------
# go test above compiled the results packages for arm64 and failed on any
# fused multiply-add (internal/fpcheck); here the other architectures Go
# fuses on are checked too, and the determinism scenarios run as an arm64
# binary under qemu-aarch64-static (Debian's qemu-user-static, installed
# when root) and must print amd64's state hashes and run digests.
echo "== floating point: no fused multiply-add on ppc64le, s390x, riscv64, loong64, amd64.v3"
# (Compiling for five more architectures takes minutes with an empty build
# cache on a busy two-core machine: more than go test's default 10 minutes.)
CITYTWIN_FPCHECK_ARCHS="ppc64le s390x riscv64 loong64 amd64.v3" go test -count=1 -timeout 25m -run NoFusedMultiplyAdd ./internal/fpcheck
echo "== cross-architecture determinism: amd64 against arm64 under qemu"
if ! command -v qemu-aarch64-static >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing: qemu-user-static"
  for try in 1 2 3 4 5 6; do
    apt-get update -qq -o DPkg::Lock::Timeout=600 >/dev/null && break
    echo "apt-get update failed (try $try); retrying in 10 s"; sleep 10
  done
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 \
    qemu-user-static >/dev/null
fi
bash internal/fpcheck/crossarch.sh

# The race detector needs cgo (gcc); the engine's parallel phases, the
# live runner and the twin are what it guards.
if command -v gcc >/dev/null; then
  echo "== go test -race (engine, live runner, twin; -short)"
  CGO_ENABLED=1 go test -race -short -count=1 ./engine/... ./render/live/... ./twin/...
else
  echo "SKIPPING the race tests: no gcc."
fi

# --- The desktop viewer (render/viewer, cmd/citytwin-view) -----------------
# ebiten needs cgo, the X11/OpenGL headers and, headless, Xvfb. As root
# (CI) the missing Debian packages are installed; otherwise the viewer
# tests are skipped with a message when something is missing.
echo "== viewer (CGO_ENABLED=1, under Xvfb)"
viewer_pkgs="libgl1-mesa-dev libxcursor-dev libxi-dev libxinerama-dev libxrandr-dev libxxf86vm-dev xvfb xauth libgl1-mesa-dri"
missing=$(apt_install $viewer_pkgs)
if [ -n "$missing" ] || ! command -v xvfb-run >/dev/null || ! command -v gcc >/dev/null; then
  echo "SKIPPING the viewer tests: missing${missing:- gcc or xvfb-run}."
  echo "Run as root (or: apt-get install$missing gcc) to test the viewer."
else
  viewer_dirs="./render/viewer/... ./cmd/citytwin-view/..."
  CGO_ENABLED=1 go vet $viewer_dirs
  CGO_ENABLED=1 "$tools/bin/staticcheck.$staticcheck_version" $viewer_dirs
  CGO_ENABLED=1 xvfb-run -a -s "-screen 0 1280x720x24" go test -count=1 $viewer_dirs
fi
