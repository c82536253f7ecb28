#!/usr/bin/env bash
# Prints the SHA-256 fingerprint of a signing key as APP_ANDROID_FINGERPRINTS wants it (AB:CD:…).
#
#   scripts/app/android-fingerprint.sh <keystore> [alias]
#
# The Play App Signing key's fingerprint is not in any local keystore: copy it from Play Console,
# "Integrità dell'app" → "Firma dell'app" → "Certificato della chiave di firma dell'app" → SHA-256, and list
# both, comma separated: APP_ANDROID_FINGERPRINTS=<upload>,<play>.
set -euo pipefail
keystore="${1:?keystore}"
alias="${2:-omnibus}"
fingerprint="$(keytool -list -v -keystore "$keystore" -alias "$alias" | sed -n 's/^[[:space:]]*SHA256:[[:space:]]*//p')"
[ -n "$fingerprint" ] || { echo "nessuna impronta SHA-256 trovata" >&2; exit 1; }
echo "APP_ANDROID_FINGERPRINTS=$fingerprint"
