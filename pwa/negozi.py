"""The files the stores' operating systems read from the site to trust the apps.

- `/.well-known/assetlinks.json` (Digital Asset Links): Android opens the Trusted Web Activity without the
  browser bar only when the site lists the app's package with the SHA-256 fingerprint of its signing key.
  Format: https://developer.android.com/training/app-links/verify-android-applinks and
  https://developers.google.com/digital-asset-links/v1/getting-started (relation
  `delegate_permission/common.handle_all_urls`, target `namespace` "android_app").
- `/.well-known/apple-app-site-association` (universal links of the iOS shell): JSON, served over https
  without redirects, with content type application/json. Format:
  https://developer.apple.com/documentation/xcode/supporting-associated-domains (`applinks.details` with
  `appIDs` and `components`; `appID` and `paths` for iOS 12 and earlier; `webcredentials.apps`).

Both are public (no login, no second factor) and answer 404 until settings name an app.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

CACHE_CONTROL = "public, max-age=3600"


def assetlinks_data() -> list[dict]:
    """One statement per Android package, each with every fingerprint (upload key and Play App Signing)."""
    if not settings.APP_ANDROID_PACKAGES or not settings.APP_ANDROID_FINGERPRINTS:
        return []
    return [
        {
            "relation": ["delegate_permission/common.handle_all_urls"],
            "target": {
                "namespace": "android_app",
                "package_name": package,
                "sha256_cert_fingerprints": list(settings.APP_ANDROID_FINGERPRINTS),
            },
        }
        for package in settings.APP_ANDROID_PACKAGES
    ]


def apple_app_site_association_data() -> dict | None:
    if not settings.APP_IOS_TEAM_ID or not settings.APP_IOS_BUNDLE_IDS:
        return None
    app_ids = [f"{settings.APP_IOS_TEAM_ID}.{bundle}" for bundle in settings.APP_IOS_BUNDLE_IDS]
    # The admin and the files under /.well-known/ stay in the browser; every family page opens in the app.
    components = [{"/": "/admin/*", "exclude": True}, {"/": "/.well-known/*", "exclude": True}, {"/": "/*"}]
    legacy_paths = ["NOT /admin/*", "NOT /.well-known/*", "*"]
    return {
        "applinks": {
            "apps": [],
            "details": [{"appIDs": app_ids, "components": components}]
            + [{"appID": app_id, "paths": legacy_paths} for app_id in app_ids],
        },
        "webcredentials": {"apps": app_ids},
    }


def _json(data) -> HttpResponse:
    response = HttpResponse(json.dumps(data, indent=2), content_type="application/json")
    response["Cache-Control"] = CACHE_CONTROL
    return response


@require_safe
def assetlinks(request: HttpRequest) -> HttpResponse:
    data = assetlinks_data()
    if not data:
        raise Http404("Nessuna app Android configurata")
    return _json(data)


@require_safe
def apple_app_site_association(request: HttpRequest) -> HttpResponse:
    data = apple_app_site_association_data()
    if data is None:
        raise Http404("Nessuna app iOS configurata")
    return _json(data)
