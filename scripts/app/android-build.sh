#!/usr/bin/env bash
# On a machine with JDK 17 and the Android SDK: generates app/android/ (make android-project) and builds the
# signed Android App Bundle for Play Console and an APK to try on a phone, with the Bubblewrap CLI.
#
#   APP_HOST=omnibus.example.it APP_ANDROID_PACKAGES=it.omnibus.app APP_ANDROID_FINGERPRINTS=AB:… \
#   JAVA_HOME=/usr/lib/jvm/java-17-openjdk ANDROID_HOME=$HOME/Android/Sdk \
#   BUBBLEWRAP_KEYSTORE_PASSWORD=… BUBBLEWRAP_KEY_PASSWORD=… \
#   scripts/app/android-build.sh [keystore]
#
# Output: app/android/app-release-bundle.aab (upload to Play Console) and app-release-signed.apk.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUBBLEWRAP_CLI="@bubblewrap/cli@1.25.0"   # the same release as @bubblewrap/core in app/twa/package.json
keystore="$(realpath -m "${1:-var/app/omnibus-upload.keystore}")"
: "${JAVA_HOME:?JAVA_HOME: the JDK 17}" "${ANDROID_HOME:?ANDROID_HOME: the Android SDK}"
: "${BUBBLEWRAP_KEYSTORE_PASSWORD:?}" "${BUBBLEWRAP_KEY_PASSWORD:?}"
[ -f "$keystore" ] || { echo "$keystore non esiste: scripts/app/android-keystore.sh lo crea" >&2; exit 1; }

# Bubblewrap reads where the JDK and the SDK are from ~/.bubblewrap/config.json.
config="$HOME/.bubblewrap/config.json"
if [ ! -f "$config" ]; then
  mkdir -p "$(dirname "$config")"
  printf '{"jdkPath": "%s", "androidSdkPath": "%s"}\n' "$JAVA_HOME" "$ANDROID_HOME" > "$config"
fi

make android-project   # host, package, fingerprints from the environment (settings); app/android/ anew

cd app/android
npx --yes "$BUBBLEWRAP_CLI" build --skipPwaValidation --signingKeyPath="$keystore" --signingKeyAlias=omnibus
ls -l app-release-bundle.aab app-release-signed.apk
