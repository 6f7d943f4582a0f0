"""The app's pages at the bench sizes S, M, L (`python -m bench.pages [--sizes S,M,L] [--seconds N]`).

Each size is built by review_app.benchdata into its own temporary SQLite file (or BENCH_DATABASE_URL, which must
then be empty and migrated, and is used for the first size only). Per page: the SQL queries of one request,
counted in-process with the test client (a `before_cursor_execute` listener, as bench/run.py does), and median /
95th-percentile latency (wrk with one connection) and requests per second (wrk with eight) against gunicorn with
one worker on loopback. Logged-in pages get a session cookie made once in-process (the same login session
`start_session` writes) and passed to wrk with -H. Per size also: the time from starting gunicorn to the first
answered request, and the worker's RSS after the run. Numbers are printed and returned, never asserted.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from . import scratch

ROOT = Path(__file__).resolve().parent.parent
PORT = 8766
SECRET = "bench-secret-key-" + "x" * 32
LUA = """done = function(summary, latency, requests)
  io.write(string.format("P50 %d\\nP95 %d\\nREQ %d\\nDUR %d\\nERR %d\\n", latency:percentile(50),
    latency:percentile(95), summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status +
    summary.errors.timeout))
end
"""


def config(url: str) -> dict:
    return {"TESTING": True, "SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url, "PASSWORD_HASHING": "fast",
            "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False}


def build(url: str, size: str) -> dict:
    from flask_migrate import upgrade

    from review_app import create_app
    from review_app.benchdata import build as build_size

    app = create_app(config(url))
    with app.app_context():
        upgrade()
        return build_size(size).as_dict()


def pages(app, summary: dict) -> tuple[list[tuple[str, str, str | None]], dict[str, str]]:
    """(label, path, who) of every page measured, and a session cookie per person."""
    from review_app.accounts.models import User
    from review_app.accounts.services import start_session
    from review_app.db import db

    slug, session_id = summary["slug"], summary["session_ids"][0]
    html = app.test_client().get(f"/events/{slug}/programme/sessions/{session_id}/").get_data(as_text=True)
    found = re.search(rf"/events/{slug}/programme/speakers/(\d+)/", html)
    cookies = {}
    for who in ("chair", "sample_speaker", "sample_reviewer"):
        client = app.test_client()
        with app.app_context():
            user = db.session.query(User).filter_by(email=summary[who]).one()
            token = start_session(user, now=datetime.now(UTC))
            db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = token
            session["_fresh"] = True
        cookies[who] = client.get_cookie("session").value
    return [("public programme", f"/events/{slug}/programme/", None),
            ("session page", f"/events/{slug}/programme/sessions/{session_id}/", None),
            ("speaker page", f"/events/{slug}/programme/speakers/{found.group(1) if found else 0}/", None),
            ("schedule.xml", f"/events/{slug}/schedule.xml", None),
            ("schedule.json", f"/events/{slug}/schedule.json", None),
            ("schedule.ics", f"/events/{slug}/schedule.ics", None),
            ("speaker dashboard", "/dashboard", "sample_speaker"),
            ("reviewer dashboard", "/reviewing", "sample_reviewer"),
            ("committee ranking", f"/events/{slug}/manage/ranking", "chair"),
            ("schedule editor", f"/events/{slug}/manage/schedule/", "chair")], cookies


def count_queries(app, path: str, cookie: str | None) -> tuple[int, int]:
    """(status, SQL queries) of the second request (the first warms caches that every later request shares)."""
    from sqlalchemy import event as sa_event

    from review_app.db import db

    client = app.test_client()
    if cookie:
        client.set_cookie("session", cookie)
    client.get(path)
    count = []

    def listener(*_args, **_kwargs):
        count.append(1)

    with app.app_context():
        engine = db.engine
    from review_app.public import front

    check = front._ReleaseCheck.__call__  # the front door's check runs on a raw cursor: counted here

    def counted_check(self, slug, number):
        count.append(1)
        return check(self, slug, number)

    sa_event.listen(engine, "before_cursor_execute", listener)
    front._ReleaseCheck.__call__ = counted_check
    try:
        status = client.get(path).status_code
    finally:
        front._ReleaseCheck.__call__ = check
        sa_event.remove(engine, "before_cursor_execute", listener)
    return status, len(count)


def _wrk_once(path: str, seconds: float, cookie: str | None, script: Path, threads: int, connections: int) -> dict:
    # as a browser asks: the front door answers the public pages and feeds gzipped then
    # a committee page at L behind seven others can take longer than wrk's default 2 s: waited for, not an error
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "20s",
            "-s", str(script), "-H", "Accept-Encoding: gzip"]
    if cookie:
        args += ["-H", f"Cookie: session={cookie}"]
    out = subprocess.run([*args, f"http://127.0.0.1:{PORT}{path}"], capture_output=True, text=True,
                         check=True).stdout
    return {k: int(v) for k, v in re.findall(r"^(P50|P95|REQ|DUR|ERR) (\d+)$", out, re.M)}


def wrk(path: str, seconds: float, cookie: str | None, script: Path) -> dict:
    """Latency from one connection asking again and again (what one person waits: no time in the worker's queue
    behind other requests), requests per second from eight connections (what one worker serves when busy).

    First one request, answered in full: the worker may still be busy with what the eight connections of the page
    before left in its queue when wrk stopped (at L, seven requests of the ranking, about 0.8 s, which showed as
    the editor's 95th percentile)."""
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}",
                                     headers={"Cookie": f"session={cookie}"} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            answer.read()
    except OSError:  # an error answer: wrk counts those and the run warns
        pass
    alone = _wrk_once(path, seconds, cookie, script, 1, 1)
    busy = _wrk_once(path, seconds, cookie, script, 2, 8)
    return {"median_ms": alone["P50"] / 1000, "p95_ms": alone["P95"] / 1000,
            "rps": busy["REQ"] / (busy["DUR"] / 1e6), "errors": alone["ERR"] + busy["ERR"],
            "busy_median_ms": busy["P50"] / 1000}


def serve(url: str) -> tuple[subprocess.Popen, float]:
    """gunicorn with one worker; the seconds from starting it to the first answered request."""
    env = {**os.environ, "REVIEW_APP_DATABASE_URL": url, "REVIEW_APP_SECRET_KEY": SECRET,
           "REVIEW_APP_RATELIMIT_ENABLED": "false", "REVIEW_APP_BASE_URL": f"http://127.0.0.1:{PORT}",
           "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{PORT}",
                                "--log-level", "warning", "wsgi:app"], env=env, cwd=ROOT)
    for _ in range(300):
        try:
            # a long timeout: a connection the kernel accepted waits for the booting worker (see bench/load.py)
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/", timeout=30) as answer:
                answer.read()
            return process, time.perf_counter() - start
        except OSError as err:
            if getattr(err, "code", None):  # an HTTP answer, even a 404: the server is up
                return process, time.perf_counter() - start
            time.sleep(0.02)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def worker_rss_mb(master: int) -> float | None:
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        status = Path(f"/proc/{children[0]}/status").read_text()
    except (OSError, IndexError):
        return None
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def run(sizes: tuple[str, ...] = ("S", "M", "L"), seconds: float = 3, smoke: bool = False) -> dict:
    from review_app import create_app

    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install -y --no-install-recommends wrk): only query counts")
    tmp = scratch("bench-pages-")
    script = tmp / "report.lua"
    script.write_text(LUA)
    result: dict = {"sizes": {}, "seconds_per_page": seconds}
    for n, size in enumerate(sizes):
        url = (n == 0 and os.environ.get("BENCH_DATABASE_URL")) or f"sqlite:///{tmp / f'{size}.sqlite'}"
        started = time.perf_counter()
        summary = build(url, size)
        built = time.perf_counter() - started
        app = create_app(config(url))
        measured, cookies = pages(app, summary)
        figures = {}
        for label, path, who in measured:
            status, queries = count_queries(app, path, cookies.get(who))
            figures[label] = {"path": path, "status": status, "queries": queries}
        entry = {"build_seconds": round(built, 1), "counts": summary["counts"], "pages": figures}
        if shutil.which("wrk") is not None and not smoke:
            process, first = serve(url)
            try:
                for label, path, who in measured:
                    figures[label].update(wrk(path, seconds, cookies.get(who), script))
                    if figures[label]["errors"]:  # wrk counts every answer other than 2xx/3xx
                        print(f"WARNING: {label} at {size}: {figures[label]['errors']} answers were errors, "
                              "so its figures are not the page's")
                entry["first_request_s"] = round(first, 2)
                entry["worker_rss_mb"] = worker_rss_mb(process.pid)
            finally:
                process.terminate()
                process.wait()
        result["sizes"][size] = entry
    first_size, last_size = sizes[0], sizes[-1]
    result["queries_equal"] = {label: result["sizes"][first_size]["pages"][label]["queries"] ==
                               result["sizes"][last_size]["pages"][label]["queries"]
                               for label in result["sizes"][first_size]["pages"]}
    print_table(result, sizes)
    return result


def print_table(result: dict, sizes: tuple[str, ...]) -> None:
    print(f"{'page':<22}{'size':>5}{'status':>7}{'queries':>8}{'median ms':>10}{'p95 ms':>8}{'req/s':>8}")
    for label in result["sizes"][sizes[0]]["pages"]:
        for size in sizes:
            f = result["sizes"][size]["pages"][label]
            print(f"{label:<22}{size:>5}{f['status']:>7}{f['queries']:>8}{f.get('median_ms', float('nan')):>10.2f}"
                  f"{f.get('p95_ms', float('nan')):>8.2f}{f.get('rps', float('nan')):>8.0f}")
        print(f"{'':<22}same query count at {sizes[0]} and {sizes[-1]}: {result['queries_equal'][label]}")
    for size in sizes:
        e = result["sizes"][size]
        print(f"{size}: built in {e['build_seconds']} s; first request {e.get('first_request_s')} s after start; "
              f"worker RSS {e.get('worker_rss_mb')} MB after the run")


def main(argv: list[str] | None = None) -> dict:
    args = argv if argv is not None else sys.argv[1:]
    sizes = tuple(args[args.index("--sizes") + 1].split(",")) if "--sizes" in args else ("S", "M", "L")
    seconds = float(args[args.index("--seconds") + 1]) if "--seconds" in args else 3
    return run(sizes, seconds, smoke="--smoke" in args)


if __name__ == "__main__":
    main()
