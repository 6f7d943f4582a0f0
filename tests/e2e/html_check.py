"""The Nu HTML Checker over every page type the browser journeys saw.

The live server is wrapped in `HtmlRecorder`, which keeps the first HTML answer per (method, status, path shape,
language) — a path shape replaces numbers and hex tokens, so each page type is checked once, not each proposal.
At the end of the session `check` runs vnu.jar (npm `vnu-jar`, Java 17) once over all saved pages.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import subprocess
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
_NUMBERS = re.compile(r"/(\d+|[0-9a-f]{16,}|[A-Za-z0-9_-]{32,})(?=/|$)")
_LANG = re.compile(rb"<html[^>]*\blang=\"([a-z]{2})", re.IGNORECASE)


def missing() -> str | None:
    if not VNU_JAR.is_file():
        return f"{VNU_JAR.relative_to(ROOT)} is missing (run `npm ci --ignore-scripts`)"
    if shutil.which("java") is None:
        return "java is not installed (the Nu HTML Checker needs Java 11 or newer)"
    return None


class HtmlRecorder:
    """WSGI middleware: saves one HTML answer per page type into `directory`."""

    def __init__(self, app, directory: Path):
        self.app, self.directory = app, directory
        self.pages: dict[str, dict] = {}  # file name → what it was
        self._lock = threading.Lock()
        directory.mkdir(parents=True, exist_ok=True)

    def __call__(self, environ, start_response):
        seen = {}

        def recording_start_response(status, headers, exc_info=None):
            seen["status"] = int(status.split()[0])
            seen["type"] = next((v for k, v in headers if k.lower() == "content-type"), "")
            seen["gzip"] = any(k.lower() == "content-encoding" and v == "gzip" for k, v in headers)
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        body = b"".join(self.app(environ, recording_start_response))
        if seen.get("type", "").startswith("text/html") and body:  # the browser asks for gzip: the front door may
            self._keep(environ, seen["status"], gzip.decompress(body) if seen.get("gzip") else body)
        return [body]

    def _keep(self, environ, status: int, body: bytes) -> None:
        shape = _NUMBERS.sub("/N", environ.get("PATH_INFO", "/"))
        lang = _LANG.search(body)
        key = f"{environ['REQUEST_METHOD']} {status} {shape} {lang.group(1).decode() if lang else '-'}"
        name = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:16] + ".html"
        with self._lock:
            if name in self.pages:
                return
            self.pages[name] = {"page": key, "url": environ.get("PATH_INFO", "/")}
            (self.directory / name).write_bytes(body)


def check(recorder: HtmlRecorder) -> list[str]:
    """Run vnu over the saved pages; one line per error (warnings and info are not errors)."""
    files = sorted(recorder.directory / name for name in recorder.pages)
    if not files:
        return []
    result = subprocess.run(
        ["java", "-Xss1024k", "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--exit-zero-always",
         *map(str, files)],
        capture_output=True, text=True, timeout=600, check=False)
    try:
        messages = json.loads(result.stdout)["messages"]
    except (ValueError, KeyError):
        return [f"the Nu HTML Checker gave no report: {result.stdout[:500]} {result.stderr[:2000]}"]
    errors = []
    for m in messages:
        if m.get("type") not in ("error", "non-document-error") and m.get("subType") != "fatal":
            continue
        name = Path(m.get("url", "")).name
        page = recorder.pages.get(name, {}).get("page", name)
        errors.append(f"{page} line {m.get('lastLine', '?')}: {m.get('message', '')} "
                      f"[{(m.get('extract') or '').strip()[:160]}]")
    return errors
