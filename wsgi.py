"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""
import gc

from review_app import create_app

app = create_app()

# A worker's long-lived objects (modules, the app, templates, cached renderings) are made by now: keep the cyclic
# garbage collector from walking them again and again, and let it run less often. A committee page builds tens of
# thousands of short-lived objects; with the defaults the collector took more than half of its time (the ranking
# at L: 500 ms, 240 ms with this; see BENCHMARKS.md).
gc.freeze()
gc.set_threshold(20_000, 50, 100)
