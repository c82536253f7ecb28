"""The iOS shell (app/ios/, built on a Mac): its sources agree with the site they wrap."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from pwa.icons import draw_icon
from pwa.piattaforma import START_URL

IOS = Path(settings.BASE_DIR) / "app" / "ios"


def test_the_shell_starts_at_the_platform_apps_start_url():
    swift = (IOS / "Omnibus" / "OmnibusApp.swift").read_text()
    assert f'URL(string: "https://\\(host){START_URL}")' in swift


def test_its_universal_links_name_the_host_the_association_file_is_served_from():
    spec = (IOS / "project.yml").read_text()
    assert "- applinks:${APP_HOST}" in spec
    assert "PRODUCT_BUNDLE_IDENTIFIER: ${APP_IOS_BUNDLE_ID}" in spec
    assert "DEVELOPMENT_TEAM: ${APP_IOS_TEAM_ID}" in spec


def test_its_app_store_icon_is_the_platform_icon():
    committed = (IOS / "Omnibus/Assets.xcassets/AppIcon.appiconset/icona-1024.png").read_bytes()
    assert committed == draw_icon(logo=None, letter="O", size=1024, maskable=False)
