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
# The reports' test prints an .xlsx to PDF with LibreOffice; the spreadsheet
# without its GUI is the smallest package that can (about 85 MB to fetch
# with --no-install-recommends, against 90 MB for libreoffice-calc).
have libreoffice || need+=(libreoffice-calc-nogui)
# Call recordings: espeak-ng speaks the Chinese test sentences into WAV,
# lame makes MP3s of them.
have espeak-ng || need+=(espeak-ng)
have lame || need+=(lame)

if [ ${#need[@]} -gt 0 ]; then
  echo "test.sh: installing ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# cups_pdf starts CUPS with the cups-pdf printer PDF, which the print tests
# print to, when no scheduler runs (no systemd here). Running it again finds
# everything in place and changes nothing.
cups_pdf() {
  local sudo="" conf=/etc/cups/cups-pdf.conf out='Out /var/spool/cups-pdf/${USER}'
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ -f "$conf" ] && ! grep -qxF "$out" "$conf"; then
    $sudo sed -i "s|^Out .*|$out|" "$conf"
    grep -qxF "$out" "$conf" || echo "$out" | $sudo tee -a "$conf" >/dev/null
  fi
  if ! lpstat -r 2>/dev/null | grep -qx 'scheduler is running'; then
    $sudo mkdir -p /run/cups
    $sudo /usr/sbin/cupsd
    for _ in $(seq 50); do
      lpstat -r 2>/dev/null | grep -qx 'scheduler is running' && break
      sleep 0.2
    done
  fi
  if ! lpstat -v PDF >/dev/null 2>&1; then
    $sudo lpadmin -p PDF -E -v cups-pdf:/ -m lsb/usr/cups-pdf/CUPS-PDF_opt.ppd
  fi
  if ! lpstat -d 2>/dev/null | grep -q 'system default destination:'; then
    $sudo lpadmin -d PDF
  fi
}
cups_pdf

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
