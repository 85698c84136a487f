#!/usr/bin/env bash
# Runs every CityTwin test. Usage: bash test.sh
# Needs Go 1.26. Tests that use the CityFlow benchmark datasets read the
# folder named by CITYTWIN_DATASETS and skip where it is unset.
set -euo pipefail
cd "$(dirname "$0")"

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet (CGO_ENABLED=0: nothing outside the viewer may need cgo)"
CGO_ENABLED=0 go vet ./...

echo "== go test"
CGO_ENABLED=0 go test -count=1 ./...
