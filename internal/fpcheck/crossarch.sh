#!/usr/bin/env bash
# Cross-architecture determinism (issue 21): runs the default scenario,
# every example, the benchmark cases and, with CITYTWIN_DATASETS, the
# CityFlow datasets, natively (amd64) with 1, 2, 3 and 8 workers and as an
# arm64 binary under qemu-aarch64-static, and fails unless every run of a
# case prints the same state hash and run digest. Parallel phases are
# forced (--min-parallel -1) so that the worker counts really differ.
#
# Usage: bash internal/fpcheck/crossarch.sh   (test.sh runs it; needs
# qemu-aarch64-static from Debian's qemu-user-static on an amd64 host)
set -euo pipefail
cd "$(dirname "$0")/../.."
export GOTOOLCHAIN=auto

if [ "$(go env GOHOSTARCH)" != amd64 ]; then
  echo "SKIPPING the arm64 comparison: the host is $(go env GOHOSTARCH), not amd64."; exit 0
fi
qemu=$(command -v qemu-aarch64-static || true)
if [ -z "$qemu" ]; then
  echo "SKIPPING the arm64 comparison: no qemu-aarch64-static (apt-get install qemu-user-static)."; exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/native" ./cmd/citytwin
GOARCH=arm64 CGO_ENABLED=0 go build -o "$tmp/arm64" ./cmd/citytwin

# Cases: "name|run arguments" (scenario runs) or "name|bench arguments".
cases=("default|")
for f in scenarios/examples/*.toml; do
  n=$(basename "$f" .toml)
  # Examples that read third-party data (not shipped) take it from
  # CITYTWIN_DATASETS: the CityFlow sets and the Monaco OSM extract.
  if grep -q -e '\.\./\.\./datasets/' -e '^osm = "monaco.osm.pbf"' "$f"; then
    if [ -z "${CITYTWIN_DATASETS:-}" ]; then
      echo "skipping example $n: it needs CITYTWIN_DATASETS"; continue
    fi
    sed -e "s|\.\./\.\./datasets/|$CITYTWIN_DATASETS/|g" \
        -e "s|^osm = \"monaco.osm.pbf\"|osm = \"$CITYTWIN_DATASETS/monaco/monaco.osm.pbf\"|" "$f" > "$tmp/$n.toml"
    cases+=("$n|$tmp/$n.toml")
  else
    cases+=("$n|$f")
  fi
done
if [ -n "${CITYTWIN_DATASETS:-}" ]; then
  # Every CityFlow dataset with every flow file, one hour of demand, the
  # roadnet's own fixed-time plans (the jinan example as template; its own
  # flow, anon_3_4_jinan_real, ran above as the example).
  for set in jinan_3x4/roadnet_3_4.json:anon_3_4_jinan_real_2000 anon_3_4_jinan_real_2500 \
             hangzhou_4x4/roadnet_4_4.json:anon_4_4_hangzhou_real anon_4_4_hangzhou_real_5734 anon_4_4_hangzhou_real_5816 \
             newyork_16x3/roadnet_16_3.json:anon_16_3_newyork_real; do
    case "$set" in *:*) net=${set%%:*}; flow=${set#*:};; *) flow=$set;; esac
    dir=${net%%/*}
    [ -f "$CITYTWIN_DATASETS/$dir/$flow.json" ] || { echo "skipping $flow: not in $CITYTWIN_DATASETS/$dir"; continue; }
    sed -e "s|^name = .*|name = \"$flow\"|" \
        -e "s|^cityflow = \"\.\./\.\./datasets/jinan_3x4/roadnet_3_4.json\"|cityflow = \"$CITYTWIN_DATASETS/$net\"|" \
        -e "s|^cityflow = \"\.\./\.\./datasets/jinan_3x4/anon_3_4_jinan_real.json\"|cityflow = \"$CITYTWIN_DATASETS/$dir/$flow.json\"|" \
        scenarios/examples/cityflow-jinan.toml > "$tmp/$flow.toml"
    cases+=("cityflow-$flow|$tmp/$flow.toml")
  done
fi
# The benchmark cases (but scale: a million vehicles is far too slow to
# build under emulation), shortened: 120 s of warm-up, 60 timed steps.
cases+=("bench|--case grid10,grid32,wuhan,jinan_3x4,hangzhou_4x4,newyork_16x3 --warmup 120 --steps 60")

# run BINARY KIND ARGS WORKERS: prints the hash lines of one run.
run() {
  local bin=$1 args=$2 w=$3
  if [[ "$args" == --case* ]]; then
    # shellcheck disable=SC2086
    $bin bench --quiet --hash --min-parallel -1 --workers "$w" $args | grep ' state hash ' | sed 's/ workers=[0-9]*:/:/'
  else
    # shellcheck disable=SC2086
    $bin run --quiet --hash --min-parallel -1 --workers "$w" --out "$tmp/out" $args | grep -E '^(state hash|run digest) '
  fi
}

fail=0 k=0
qworkers=(1 2 3 8)
for c in "${cases[@]}"; do
  name=${c%%|*} args=${c#*|}
  t0=$SECONDS
  if ! ref=$(run "$tmp/native" "$args" 1) || [ -z "$ref" ]; then
    echo "FAIL $name: the native run failed or printed no hash (run it: citytwin run $args)"; fail=1; continue
  fi
  for w in 2 3 8; do
    got=$(run "$tmp/native" "$args" "$w") || true
    if [ "$got" != "$ref" ]; then
      echo "FAIL $name: amd64 with $w workers differs from 1 worker:"; diff <(echo "$ref") <(echo "$got") || true; fail=1
    fi
  done
  # Under qemu one worker count per case, in turn, so that all four run.
  w=${qworkers[$((k % 4))]}; k=$((k + 1))
  got=$(run "$qemu $tmp/arm64" "$args" "$w") || true
  if [ "$got" != "$ref" ]; then
    echo "FAIL $name: arm64 ($w workers) differs from amd64:"; diff <(echo "$ref") <(echo "$got") || true; fail=1
  else
    echo "ok   $name: amd64 workers 1,2,3,8 and arm64 workers $w agree ($(echo "$ref" | grep -m1 -o 'digest [0-9a-f]*'); $((SECONDS - t0)) s)"
  fi
done
if [ $fail != 0 ]; then
  echo "arm64 and amd64 disagree: see the floating-point rule in engine/doc.go (go test ./internal/fpcheck names the lines)"
  exit 1
fi
echo "every case: the same state hash and run digest on amd64 and arm64"
