#!/usr/bin/env bash
# Runs every test the way CI does: installs the system parts the tests need
# when they are missing, then runs go vet and the whole test suite with
# HOTLINE_STRICT=1, so that a test whose system part is missing fails instead
# of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have tmux || need+=(tmux)
have pdftotext || need+=(poppler-utils)
have lpstat || need+=(cups cups-client cups-bsd)
[ -e /usr/lib/cups/backend/cups-pdf ] || need+=(printer-driver-cups-pdf)
ls /usr/share/fonts/truetype/wqy/wqy-microhei.tt? >/dev/null 2>&1 || need+=(fonts-wqy-microhei fonts-wqy-zenhei)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)

if [ ${#need[@]} -gt 0 ]; then
  echo "test.sh: installing ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

export HOTLINE_STRICT=1
export CGO_ENABLED=0
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
go vet ./...
go build ./...
go test -count=1 -timeout 20m ./...
