#!/usr/bin/env bash
# Fails unless reqwest uses rustls only. A native-tls (OpenSSL) client has another TLS
# fingerprint, and some sources answer such clients with non-JSON challenge pages.
set -euo pipefail
cd "$(dirname "$0")/.."

features="$(cargo tree -e features --target all -i reqwest)"
if ! grep -q 'reqwest feature "__rustls"' <<<"$features"; then
  echo "check-tls: reqwest is built without rustls" >&2
  exit 1
fi
if grep -Eq 'reqwest feature "(default-tls|native-tls[^"]*)"' <<<"$features"; then
  echo "check-tls: reqwest has a native-tls feature on:" >&2
  grep -E 'reqwest feature "(default-tls|native-tls[^"]*)"' <<<"$features" >&2
  exit 1
fi
packages="$(cargo tree -e normal --target all --prefix none)"
if grep -Eq '^(native-tls|openssl|openssl-sys|hyper-tls|tokio-native-tls) ' <<<"$packages"; then
  echo "check-tls: a native TLS stack is in the dependency tree:" >&2
  grep -E '^(native-tls|openssl|openssl-sys|hyper-tls|tokio-native-tls) ' <<<"$packages" | sort -u >&2
  exit 1
fi
echo "check-tls: reqwest uses rustls only"
