"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""
from review_app import create_app

app = create_app()
