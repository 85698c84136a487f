#!/bin/sh
# pgo.sh regenerates cmd/citytwin/default.pgo, the CPU profile the Go
# toolchain uses to optimise the citytwin command (profile-guided
# optimisation: `go build ./cmd/citytwin` picks the file up by itself). It
# profiles the timed steps of the benchmark cases on one and two workers,
# with a build that uses no profile, and merges the profiles into one.
# Run it from anywhere in the repository after a change to the hot path;
# the CityFlow cases need CITYTWIN_DATASETS (they are left out, with a
# message, when it is unset). Results do not depend on the profile: it
# changes inlining and code layout only (see bench/README.md, "Profile-
# guided optimisation").
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -pgo=off -o "$tmp/citytwin" ./cmd/citytwin
run() { "$tmp/citytwin" bench --quiet "$@" >/dev/null; }
run --case grid32 --workers 1,2 --steps 600 --cpuprofile "$tmp/grid32.prof"
run --case grid10,wuhan --workers 1,2 --steps 2400 --cpuprofile "$tmp/small.prof"
run --case scale --workers 2 --steps 10 --cpuprofile "$tmp/scale.prof"
if [ -n "${CITYTWIN_DATASETS:-}" ]; then
	run --case jinan_3x4,hangzhou_4x4,newyork_16x3 --workers 1 --steps 2400 --runs 15 --cpuprofile "$tmp/cityflow.prof"
else
	echo "pgo.sh: CITYTWIN_DATASETS is unset: the CityFlow cases are not profiled" >&2
fi
go tool pprof -proto "$tmp"/*.prof >cmd/citytwin/default.pgo
echo "pgo.sh: wrote cmd/citytwin/default.pgo ($(wc -c <cmd/citytwin/default.pgo) bytes)"
