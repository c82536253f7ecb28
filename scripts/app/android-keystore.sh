#!/usr/bin/env bash
# Creates the upload key of the Android app (once, on the build machine) and prints its SHA-256
# fingerprint, the value APP_ANDROID_FINGERPRINTS needs. Needs keytool (JDK 17).
#
#   scripts/app/android-keystore.sh [keystore] [alias]      (default var/app/omnibus-upload.keystore, omnibus)
#
# var/ is not in git. Keep a copy of the keystore and its passwords, in the comune's or the supplier's vault:
# a lost upload key is replaced only through Play Console support.
set -euo pipefail
cd "$(dirname "$0")/../.."
keystore="${1:-var/app/omnibus-upload.keystore}"
alias="${2:-omnibus}"
command -v keytool >/dev/null || { echo "keytool non trovato: installa il JDK 17" >&2; exit 1; }
if [ -e "$keystore" ]; then
  echo "$keystore esiste già: non lo sovrascrivo." >&2
else
  mkdir -p "$(dirname "$keystore")"
  keytool -genkeypair -v -keystore "$keystore" -alias "$alias" -keyalg RSA -keysize 2048 -validity 10000 \
    -dname "CN=Omnibus, O=Omnibus, C=IT"
fi
exec "$(dirname "$0")/android-fingerprint.sh" "$keystore" "$alias"
