"""The Android project of the platform app, generated with Bubblewrap from the description in the repository.

`app/twa/twa.json` holds what does not change between installations (name, colours, start URL, version);
host, package and signing-key fingerprints come from the command line or from settings (APP_HOST,
APP_ANDROID_PACKAGES, APP_ANDROID_FINGERPRINTS), the same settings /.well-known/assetlinks.json is
served from. Icons are drawn here (pwa.icons) and handed to `app/twa/generate.js`, which runs
`@bubblewrap/core` (pinned in app/twa/package.json) and serves them to it on 127.0.0.1 only.

The project is written whole into a fresh directory and then put in place: the same input gives the same
files, byte for byte (tests/pwa/test_android_project.py runs it twice).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .icons import BACKGROUND_COLOR, THEME_COLOR, icona_monocromatica_png, icona_piattaforma_png

TWA_DIR = Path(settings.BASE_DIR) / "app" / "twa"
DESCRIPTION_FILE = TWA_DIR / "twa.json"
DEFAULT_OUTPUT = Path(settings.BASE_DIR) / "app" / "android"
NPM_TIMEOUT_SECONDS = 600
GENERATE_TIMEOUT_SECONDS = 300
HOST_RE = re.compile(r"(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+")
PACKAGE_RE = re.compile(r"[a-zA-Z][\w]*(\.[a-zA-Z][\w]*)+")
FINGERPRINT_RE = re.compile(r"([0-9A-F]{2}:){31}[0-9A-F]{2}")
LOCAL_ICONS = {"iconUrl": "icona-512.png", "maskableIconUrl": "icona-maskable-512.png",
               "monochromeIconUrl": "icona-monocromatica-512.png"}


class AndroidProjectError(Exception):
    """A value or a tool missing: the message says which, in the words of the command line."""


@dataclass(frozen=True)
class AppAndroid:
    host: str
    package: str
    fingerprints: tuple[str, ...]
    version_name: str
    version_code: int


def app_android_resolve(*, host: str = "", package: str = "", fingerprints: list[str] | None = None,
                        version_name: str = "", version_code: int | None = None) -> AppAndroid:
    """The values of the build: the command line's, else the settings', else the repository description's."""
    base = json.loads(DESCRIPTION_FILE.read_text())
    host = (host or settings.APP_HOST).strip().lower()
    package = (package or (settings.APP_ANDROID_PACKAGES[:1] or [base["packageId"]])[0]).strip()
    fingerprints = [f.strip().upper() for f in (fingerprints or settings.APP_ANDROID_FINGERPRINTS) if f.strip()]
    if not HOST_RE.fullmatch(host):
        raise AndroidProjectError(f"HOST: {host!r} is not a host name (set APP_HOST or HOST=omnibus.example.it).")
    if not PACKAGE_RE.fullmatch(package):
        raise AndroidProjectError(f"PACKAGE: {package!r} is not an Android package name (e.g. it.omnibus.app).")
    for fingerprint in fingerprints:
        if not FINGERPRINT_RE.fullmatch(fingerprint):
            raise AndroidProjectError(f"FINGERPRINT: {fingerprint!r} is not a SHA-256 fingerprint (AB:CD:…, 32 bytes).")
    code = version_code if version_code is not None else int(base["appVersionCode"])
    if code < 1:
        raise AndroidProjectError("VERSION_CODE: a positive whole number.")
    return AppAndroid(host=host, package=package, fingerprints=tuple(fingerprints),
                      version_name=version_name or base["appVersion"], version_code=code)


def twa_manifest_data(app: AppAndroid) -> dict:
    """Bubblewrap's TWA manifest: the repository's description with this build's values."""
    data = {key: value for key, value in json.loads(DESCRIPTION_FILE.read_text()).items() if not key.startswith("_")}
    origin = f"https://{app.host}"
    data.update({
        "packageId": app.package,
        "host": app.host,
        "appVersion": app.version_name,
        "appVersionCode": app.version_code,
        "themeColor": THEME_COLOR,
        "navigationColor": THEME_COLOR,
        "backgroundColor": BACKGROUND_COLOR,
        "iconUrl": f"{origin}/app/icona-512.png",
        "maskableIconUrl": f"{origin}/app/icona-maskable-512.png",
        "monochromeIconUrl": f"{origin}/app/icona-monocromatica-512.png",
        "fullScopeUrl": f"{origin}/",
        "fingerprints": [{"name": f"chiave {n}", "value": value} for n, value in enumerate(app.fingerprints, 1)],
        "generatorApp": "omnibus (@bubblewrap/core)",
    })
    return data


def _node_ready() -> str:
    """The path of node, with app/twa/node_modules installed (`npm ci`: package-lock.json's exact versions)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise AndroidProjectError("node and npm are needed (Node.js 18 or later).")
    if not (TWA_DIR / "node_modules" / "@bubblewrap" / "core").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=TWA_DIR, check=True,  # noqa: S603
                       timeout=NPM_TIMEOUT_SECONDS)
    return node


def android_project_generate(*, app: AppAndroid, output: Path = DEFAULT_OUTPUT) -> Path:
    """Write the Gradle project of the TWA into `output` (replaced whole); returns it."""
    node = _node_ready()
    manifest = twa_manifest_data(app)
    output = Path(output).resolve()
    with tempfile.TemporaryDirectory(prefix="omnibus-twa-") as work:
        work_dir = Path(work)
        icons = work_dir / "icone"
        icons.mkdir()
        (icons / LOCAL_ICONS["iconUrl"]).write_bytes(icona_piattaforma_png(size=512))
        (icons / LOCAL_ICONS["maskableIconUrl"]).write_bytes(icona_piattaforma_png(size=512, maskable=True))
        (icons / LOCAL_ICONS["monochromeIconUrl"]).write_bytes(icona_monocromatica_png(size=512))
        description = work_dir / "twa.json"
        description.write_text(json.dumps({**manifest, "localIcons": LOCAL_ICONS}, indent=2))
        project = work_dir / "android"
        subprocess.run([node, str(TWA_DIR / "generate.js"), str(description), str(icons), str(project)],  # noqa: S603
                       cwd=TWA_DIR, check=True, timeout=GENERATE_TIMEOUT_SECONDS)
        twa_manifest = (project / "twa-manifest.json").read_bytes()
        # What `bubblewrap init` and `update` leave: `bubblewrap build` regenerates nothing while it matches.
        (project / "manifest-checksum.txt").write_text(hashlib.sha1(twa_manifest).hexdigest())  # noqa: S324
        if output.exists():
            shutil.rmtree(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(project), str(output))
    return output
