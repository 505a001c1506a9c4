#!/usr/bin/env bash
# Installs the Rust-side test tools into .tools/ (never system-wide):
# tauri-driver, the WebDriver bridge the end-to-end tests talk to.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"

if ! command -v cargo >/dev/null; then
  echo "cargo is missing: install Rust (https://rustup.rs) and run this again." >&2
  exit 1
fi
for component in rustfmt clippy; do
  if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
    echo "cargo $component is missing: run 'rustup component add $component'." >&2
    exit 1
  fi
done
if [[ ! -x "$tools/bin/tauri-driver" ]]; then
  echo "Installing tauri-driver into $tools (one time, about two minutes)"
  cargo install tauri-driver --locked --version '^2' --root "$tools" --quiet
fi
