#!/usr/bin/env bash
# Installs the Debian packages Intake Desk needs, when they are missing.
#   scripts/ensure-deps.sh run    packages to build and run the desktop app
#   scripts/ensure-deps.sh test   those plus the test tools (Xvfb, WebKitWebDriver, ...)
#   scripts/ensure-deps.sh bench  those plus Debian's chromium (the PDF bench compares
#                                 our renderer with headless Chromium's print to PDF)
# As root it installs with apt-get; otherwise it prints the exact command and fails.
set -euo pipefail

run_pkgs=(build-essential pkg-config libwebkit2gtk-4.1-dev libssl-dev librsvg2-dev xvfb xauth)
# e2fsprogs, mount and util-linux: the fault tests (an ext4 disk image, unshare, nsenter, runuser).
test_pkgs=(webkit2gtk-driver poppler-utils qpdf sqlite3 imagemagick nodejs postgresql openssl e2fsprogs mount util-linux)
bench_pkgs=(chromium)

case "${1:-run}" in
  run) wanted=("${run_pkgs[@]}") ;;
  test) wanted=("${run_pkgs[@]}" "${test_pkgs[@]}") ;;
  bench) wanted=("${run_pkgs[@]}" "${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "usage: $0 run|test|bench" >&2; exit 2 ;;
esac

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -eq 0 ]]; then
  echo "Installing missing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with:" >&2
  echo "  sudo sh -c '$cmd'" >&2
  exit 1
fi
