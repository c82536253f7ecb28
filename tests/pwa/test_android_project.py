"""`make android-project`: Bubblewrap (@bubblewrap/core, pinned in app/twa/package.json) writes the Gradle
project of the TWA from the description in the repository and the build's host, package and fingerprint.

Runs where node is (CI has it); app/twa/node_modules is installed once with `npm ci` when missing.
Facts on the generated files from Bubblewrap's template project (node_modules/@bubblewrap/core/
template_project): AndroidManifest.xml names the package and takes host and start URL from the
`hostName` / `launchUrl` string resources that app/build.gradle's `twaManifest` defines; launcher icons
are res/mipmap-*/ic_launcher.png (48 px at mdpi to 192 px at xxxhdpi) and the adaptive ic_maskable.png
(82 to 328 px), store_icon.png 512 px.
"""

from __future__ import annotations

import filecmp
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

HOST = "omnibus.comune-esempio.it"
PACKAGE = "it.comuneesempio.omnibus"
FINGERPRINT = ":".join(["3C"] * 16 + ["A7"] * 16)
ANDROID = "{http://schemas.android.com/apk/res/android}"

pytestmark = pytest.mark.skipif(shutil.which("node") is None or shutil.which("npm") is None,
                                reason="node and npm are not installed")


def _generate(output: Path, settings) -> Path:
    settings.APP_HOST = HOST
    settings.APP_ANDROID_FINGERPRINTS = [FINGERPRINT]
    call_command("android_project", package=PACKAGE, output=str(output), version_name="1.2.0", version_code=7)
    return output


def _tree(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_the_project_names_host_start_url_package_and_icons_and_comes_out_the_same_twice(tmp_path, settings):
    first = _generate(tmp_path / "uno", settings)
    second = _generate(tmp_path / "due", settings)

    files = _tree(first)
    assert files == _tree(second)
    _, mismatch, errors = filecmp.cmpfiles(first, second, files, shallow=False)
    assert mismatch == [] and errors == []

    manifest = ET.parse(first / "app/src/main/AndroidManifest.xml").getroot()
    assert manifest.get("package") == PACKAGE
    application = manifest.find("application")
    assert application.get(f"{ANDROID}icon") == "@mipmap/ic_launcher"
    hosts = {data.get(f"{ANDROID}host") for data in manifest.iter("data") if data.get(f"{ANDROID}scheme") == "https"}
    assert hosts == {"@string/hostName"}
    launch = {meta.get(f"{ANDROID}value") for meta in manifest.iter("meta-data")
              if meta.get(f"{ANDROID}name") == "android.support.customtabs.trusted.DEFAULT_URL"}
    assert launch == {"@string/launchUrl"}

    gradle = (first / "app/build.gradle").read_text()
    assert f"hostName: '{HOST}'," in gradle
    assert "launchUrl: '/?source=app'," in gradle
    assert f'applicationId "{PACKAGE}"' in gradle
    assert "versionCode 7" in gradle and 'versionName "1.2.0"' in gradle

    twa = json.loads((first / "twa-manifest.json").read_text())
    assert (twa["host"], twa["startUrl"], twa["packageId"]) == (HOST, "/?source=app", PACKAGE)
    assert (twa["name"], twa["launcherName"]) == ("Omnibus", "Omnibus")
    assert twa["iconUrl"] == f"https://{HOST}/app/icona-512.png"
    assert twa["maskableIconUrl"] == f"https://{HOST}/app/icona-maskable-512.png"
    assert twa["fingerprints"] == [{"name": "chiave 1", "value": FINGERPRINT}]
    assert (twa["appVersionName"], twa["appVersionCode"]) == ("1.2.0", 7)
    # No local address of the generation is left in the project.
    assert "127.0.0.1" not in (first / "twa-manifest.json").read_text()

    for name, density, size in (("ic_launcher", "mdpi", 48), ("ic_launcher", "xxxhdpi", 192),
                                ("ic_maskable", "mdpi", 82), ("ic_maskable", "xxxhdpi", 328)):
        with Image.open(first / f"app/src/main/res/mipmap-{density}/{name}.png") as icon:
            assert icon.size == (size, size)
    with Image.open(first / "store_icon.png") as icon:
        assert icon.size == (512, 512)  # the Play listing's icon
    with Image.open(first / "app/src/main/res/mipmap-xxxhdpi/ic_launcher.png") as icon:
        assert icon.convert("RGB").getpixel((0, 0)) == (0, 102, 204)  # the platform icon's blue


def test_a_bad_value_stops_before_anything_is_written(tmp_path, settings):
    settings.APP_HOST = ""
    with pytest.raises(Exception, match="HOST"):
        call_command("android_project", output=str(tmp_path / "progetto"))
    with pytest.raises(Exception, match="FINGERPRINT"):
        call_command("android_project", host=HOST, fingerprint=["AB:CD"], output=str(tmp_path / "progetto"))
    assert not (tmp_path / "progetto").exists()
