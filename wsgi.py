"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""
from review_app import collector, create_app

app = create_app()

# the worker's garbage collection: its start-up objects frozen, collections rarer, and the young generations
# collected after an answer that left garbage in them (see review_app/collector.py)
collector.tune()
app.wsgi_app = collector.CollectAfterResponse(app.wsgi_app)  # type: ignore[method-assign]
