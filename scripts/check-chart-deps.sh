#!/usr/bin/env bash
# Fails if the chart crate reaches an application's runtime, network or storage: wickview-chart
# is egui, egui_plot, wgpu and rayon, and is handed its data as plain values.
set -euo pipefail
cd "$(dirname "$0")/.."

# The host's platform: on wasm32 alone wgpu reaches tokio through wasm-bindgen-futures.
packages="$(cargo tree -p wickview-chart -e normal --prefix none)"
forbidden='^(tokio|reqwest|mongodb|rusqlite|libsqlite3-sys|hyper|poll-promise|wickview) '
if grep -Eq "$forbidden" <<<"$packages"; then
  echo "check-chart-deps: wickview-chart depends on what only the application may use:" >&2
  grep -E "$forbidden" <<<"$packages" | sort -u >&2
  exit 1
fi
echo "check-chart-deps: wickview-chart has no tokio, reqwest, mongodb or rusqlite"
