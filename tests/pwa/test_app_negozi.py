"""/.well-known/assetlinks.json and /.well-known/apple-app-site-association, from settings.

Facts from the official documentation:
- Digital Asset Links (https://developer.android.com/training/app-links/verify-android-applinks,
  https://developers.google.com/digital-asset-links/v1/getting-started): a JSON list of statements, relation
  "delegate_permission/common.handle_all_urls", target namespace "android_app", package_name and
  sha256_cert_fingerprints (colon-separated upper-case hex), served with Content-Type application/json,
  without redirects. A Trusted Web Activity without it shows the browser bar.
- Apple (https://developer.apple.com/documentation/xcode/supporting-associated-domains): the file at
  /.well-known/apple-app-site-association, no extension, served over https with Content-Type
  application/json and no redirect; applinks.details[].appIDs are "<Team ID>.<Bundle ID>", components
  [{"/": pattern, "exclude": bool}].
"""

from __future__ import annotations

import json

import pytest
from allauth.mfa.models import Authenticator

from comuni.models import Ruolo
from comuni.services import incarico_assign
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FINGERPRINT_UPLOAD = ":".join(["AB"] * 16 + ["01"] * 16)
FINGERPRINT_PLAY = ":".join(["0F"] * 32)


@pytest.fixture
def app_android(settings):
    settings.APP_ANDROID_PACKAGES = ["it.omnibus.app"]
    settings.APP_ANDROID_FINGERPRINTS = [FINGERPRINT_UPLOAD, FINGERPRINT_PLAY]


@pytest.fixture
def app_ios(settings):
    settings.APP_IOS_TEAM_ID = "A1B2C3D4E5"
    settings.APP_IOS_BUNDLE_IDS = ["it.omnibus.app"]


def test_it_lists_the_android_app_and_its_signing_keys(client, app_android):
    response = client.get("/.well-known/assetlinks.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == [{
        "relation": ["delegate_permission/common.handle_all_urls"],
        "target": {"namespace": "android_app", "package_name": "it.omnibus.app",
                   "sha256_cert_fingerprints": [FINGERPRINT_UPLOAD, FINGERPRINT_PLAY]},
    }]


def test_each_package_gets_its_statement(client, settings, app_android):
    settings.APP_ANDROID_PACKAGES = ["it.omnibus.app", "it.omnibus.app.collaudo"]
    statements = json.loads(client.get("/.well-known/assetlinks.json").content)
    assert [s["target"]["package_name"] for s in statements] == ["it.omnibus.app", "it.omnibus.app.collaudo"]


def test_it_names_the_ios_app_for_universal_links(client, app_ios):
    response = client.get("/.well-known/apple-app-site-association")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    details = data["applinks"]["details"]
    assert details[0]["appIDs"] == ["A1B2C3D4E5.it.omnibus.app"]
    assert {"/": "/*"} in details[0]["components"]
    assert {"/": "/admin/*", "exclude": True} in details[0]["components"]
    # iOS 12 and earlier read appID and paths.
    assert details[1] == {"appID": "A1B2C3D4E5.it.omnibus.app", "paths": ["NOT /admin/*", "NOT /.well-known/*", "*"]}
    assert data["webcredentials"] == {"apps": ["A1B2C3D4E5.it.omnibus.app"]}


@pytest.mark.parametrize("url", ["/.well-known/assetlinks.json", "/.well-known/apple-app-site-association"])
def test_without_an_app_in_settings_they_answer_404(client, url):
    assert client.get(url).status_code == 404


def test_a_package_without_fingerprints_is_not_published(client, settings):
    settings.APP_ANDROID_PACKAGES = ["it.omnibus.app"]
    assert client.get("/.well-known/assetlinks.json").status_code == 404


@pytest.mark.parametrize("url", ["/.well-known/assetlinks.json", "/.well-known/apple-app-site-association"])
def test_they_open_to_staff_without_a_second_factor_and_never_redirect(client, leporano, app_android, app_ios, url):
    staff = UserFactory(email="nuovo.ufficio@example.org")
    incarico_assign(user=staff, comune=leporano, ruolo=Ruolo.UFFICIO_SCUOLA)
    assert not Authenticator.objects.filter(user=staff).exists()
    client.login(email="nuovo.ufficio@example.org", password=PASSWORD)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert client.get(url + "/").status_code == 404  # no slash appended, no redirect


def test_they_refuse_writes(client, app_android):
    assert client.post("/.well-known/assetlinks.json").status_code == 405


def test_a_malformed_app_setting_stops_the_start_naming_the_variable():
    # The settings module is read once per process: a fresh interpreter reads the bad values.
    from tests.comuni.test_settings import load_settings

    result = load_settings(APP_ANDROID_PACKAGES="it.omnibus.app", APP_ANDROID_FINGERPRINTS="AB:CD",
                           APP_IOS_TEAM_ID="A1B2C3D4E5", APP_IOS_BUNDLE_IDS="it.omnibus.app")
    assert result.returncode != 0
    assert "APP_ANDROID_FINGERPRINTS: 'AB:CD' is not a SHA-256 fingerprint" in result.stderr
    result = load_settings(APP_IOS_TEAM_ID="a1b2", APP_ANDROID_FINGERPRINTS=FINGERPRINT_PLAY)
    assert result.returncode != 0
    assert "APP_IOS_TEAM_ID" in result.stderr
    result = load_settings(APP_ANDROID_PACKAGES="it.omnibus.app", APP_ANDROID_FINGERPRINTS=FINGERPRINT_PLAY.lower(),
                           APP_IOS_TEAM_ID="A1B2C3D4E5", APP_IOS_BUNDLE_IDS="it.omnibus.app")
    assert result.returncode == 0, result.stderr
