#!/usr/bin/env bash
# Retakes the chart screenshots of the README (docs/screenshots/) with `wickview --screenshot`
# on the bundled sample data, in a fresh embedded store and fresh settings, under a virtual
# X display (Xvfb, from the xvfb package) unless DISPLAY is set.
# usage: scripts/screenshots.sh [path/to/wickview]   (default: target/release/wickview)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-target/release/wickview}"
work="$(mktemp -d)"
trap 'rm -rf "$work"; [ -n "${xvfb_pid:-}" ] && kill "$xvfb_pid"' EXIT
if [ -z "${DISPLAY:-}" ]; then
  Xvfb :77 -screen 0 1600x1000x24 >/dev/null 2>&1 &
  xvfb_pid=$!
  export DISPLAY=:77
  sleep 1
fi
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
: "${XDG_RUNTIME_DIR:=$work/run}"
export XDG_RUNTIME_DIR
mkdir -p "$XDG_RUNTIME_DIR"
shot() {
  local name="$1"
  shift
  "$bin" --data-dir "$work/store" --screenshot "docs/screenshots/$name.png" "$@"
  echo "docs/screenshots/$name.png"
}
shot korean-005930 --view kr --ticker 005930 --range 3m
shot us-aapl --view us --ticker AAPL --range 6m
shot indices-gspc-set-b --view index --ticker ^GSPC --range 1y --ma-set b
shot korean-005930-indicators --view kr --ticker 005930 --range 6m \
  --indicator bb:20,2 --indicator rsi:14 --indicator macd:12,26,9
shot us-aapl-indicators --view us --ticker AAPL --range 6m \
  --indicator stoch:14,3,3 --indicator atr:14
