#!/usr/bin/env bash
# Checks, from any machine with curl and the network, what Android and iOS will read from the site:
# both files answer 200 with application/json and no redirect, and Google's Digital Asset Links API
# confirms the app's package and fingerprint for the host.
#
#   scripts/app/check-links.sh omnibus.example.it it.omnibus.app AB:CD:…
set -euo pipefail
host="${1:?host}"
package="${2:?package}"
fingerprint="${3:?SHA-256 fingerprint}"
for path in /.well-known/assetlinks.json /.well-known/apple-app-site-association; do
  read -r code type redirect < <(curl -s -o /dev/null -w '%{http_code} %{content_type} %{redirect_url}\n' \
    "https://$host$path")
  echo "$path: $code $type ${redirect:-(nessun redirect)}"
  [ "$code" = 200 ] && [[ "$type" == application/json* ]] && [ -z "$redirect" ] || exit 1
done
curl -sf "https://digitalassetlinks.googleapis.com/v1/assetlinks:check?source.web.site=https://$host&relation=delegate_permission/common.handle_all_urls&target.android_app.package_name=$package&target.android_app.certificate.sha256_fingerprint=$fingerprint" \
  | tee /dev/stderr | grep -q '"linked": true'
echo "Digital Asset Links: $package è collegata a https://$host"
