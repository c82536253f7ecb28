#!/usr/bin/env bash
# On a Mac with Xcode 15 or later and XcodeGen (brew install xcodegen): generates the Xcode project of the
# iOS shell (app/ios/project.yml) with this installation's host, team and bundle id, archives it and
# exports the .ipa for App Store Connect (or uploads it when UPLOAD=1).
#
#   APP_HOST=omnibus.example.it APP_IOS_TEAM_ID=A1B2C3D4E5 APP_IOS_BUNDLE_IDS=it.omnibus.app \
#   VERSION=1.0.0 BUILD=1 scripts/app/ios-build.sh
#
# Signing: automatic, with the team's certificates in the Mac's keychain (Xcode → Settings → Accounts).
set -euo pipefail
cd "$(dirname "$0")/../../app/ios"
: "${APP_HOST:?}" "${APP_IOS_TEAM_ID:?}" "${APP_IOS_BUNDLE_IDS:?}"
export APP_HOST APP_IOS_TEAM_ID
export APP_IOS_BUNDLE_ID="${APP_IOS_BUNDLE_IDS%%,*}"
export VERSION="${VERSION:-1.0.0}" BUILD="${BUILD:-1}"
command -v xcodegen >/dev/null || { echo "xcodegen non trovato: brew install xcodegen" >&2; exit 1; }
xcodegen generate --spec project.yml
xcodebuild -project Omnibus.xcodeproj -scheme Omnibus -configuration Release -destination 'generic/platform=iOS' \
  -archivePath build/Omnibus.xcarchive -allowProvisioningUpdates archive
destination=export
[ "${UPLOAD:-0}" = 1 ] && destination=upload
sed -e "s/__TEAM__/$APP_IOS_TEAM_ID/" -e "s/__DESTINATION__/$destination/" ExportOptions.plist > build/ExportOptions.plist
xcodebuild -exportArchive -archivePath build/Omnibus.xcarchive -exportPath build/export \
  -exportOptionsPlist build/ExportOptions.plist -allowProvisioningUpdates
ls -l build/export
