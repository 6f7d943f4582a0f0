"""The read-only JSON API of released programmes (`/api/v1/`), described by the OpenAPI document at
`/api/v1/openapi.json`. It reads only released versions' snapshots, like the public pages: events, sessions,
speakers, rooms and venues of the latest release. Answers are cached per version and carry ETag and
Last-Modified; errors are JSON too."""
from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from ..db import db
from ..events.models import Event
from . import cache
from .programme import latest_header, load_version

bp = Blueprint("api", __name__, url_prefix="/api/v1")
SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
FILTERS = ("theme", "venue", "format", "language", "audience")


class ApiError(HTTPException):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.code, self.message = status, message

    def get_response(self, environ=None, scope=None):
        return _json({"error": self.message, "status": self.code}, status=self.code)


def _json(data, status: int = 200) -> Response:
    response = Response(json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _base() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def _event(slug: str) -> tuple[Event, tuple]:
    if len(slug) > 60 or "\x00" in slug:
        raise ApiError(404, "No such event.")
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    header = latest_header(event) if event is not None else None
    if event is None or header is None:
        raise ApiError(404, "No such event, or its programme is not published yet.")
    return event, header


def _check_query(allowed: tuple[str, ...] = ()) -> dict[str, str]:
    if len(request.query_string) > 1000:
        raise ApiError(400, "The query string is too long.")
    chosen = {}
    for key in request.args:
        values = request.args.getlist(key)
        if key not in allowed:
            raise ApiError(400, f"Unknown parameter: {key[:40]}")
        if len(values) != 1 or len(values[0]) > 40:
            raise ApiError(400, f"Give {key} once, with a short value.")
        chosen[key] = values[0]
    return chosen


def _cached(event: Event, header, name: str, build) -> Response:
    version_id, number, released_at, revised_at = header
    entry = cache.cached(("api", event.id, number, revised_at, name, tuple(sorted(request.args.items())), _base()),
                         lambda: (json.dumps(build(load_version(version_id).snapshot), ensure_ascii=False)
                                  .encode("utf-8"), "application/json"))
    response = Response(entry.body, mimetype=entry.mimetype)
    response.set_etag(entry.etag)
    response.last_modified = released_at
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=60"
    return response.make_conditional(request)


def _session(snap: dict, s: dict, event: Event) -> dict:
    rooms = {r["id"]: (r, v) for v in snap["venues"] for r in v["rooms"]}
    room, venue = rooms[s["room_id"]]
    return {
        "id": s["id"], "title": s["title"], "abstract": s["abstract"], "description": s["description"],
        "language": s["language"], "start": s["start"], "end": s["end"], "duration_minutes": s["minutes"],
        "room": {"id": room["id"], "name": room["name"]}, "venue": {"id": venue["id"], "name": venue["name"]},
        "theme": {"id": s["theme"]["id"], "name_de": s["theme"]["name_de"], "name_en": s["theme"]["name_en"]},
        "format": s["format"], "audiences": s["audiences"],
        "speakers": [{"id": p["id"], "name": p["name"], "organisation": p["organisation"], "city": p["city"]}
                     for p in s["speakers"]],
        "url": _base() + url_for("public.session_page", slug=event.slug, session_id=s["id"]),
    }


def _version_info(event: Event, header) -> dict:
    _vid, number, released_at, _revised = header
    return {"slug": event.slug, "name": event.name, "starts_on": event.starts_on.isoformat(),
            "ends_on": event.ends_on.isoformat(), "timezone": event.timezone, "version": number,
            "released_at": released_at.isoformat(),
            "url": _base() + url_for("public.programme", slug=event.slug)}


@bp.get("/events")
def events():
    _check_query()
    out = []
    for event in db.session.scalars(select(Event).order_by(Event.starts_on, Event.slug)):
        header = latest_header(event)
        if header is not None:
            out.append(_version_info(event, header))
    return _json({"events": out})


@bp.get("/events/<slug>")
def event(slug: str):
    _check_query()
    ev, header = _event(slug)
    return _json(_version_info(ev, header))


def _matches(s: dict, chosen: dict[str, str]) -> bool:
    for key, raw in chosen.items():
        if key == "language":
            if s["language"] != raw:
                return False
            continue
        if not raw.isdecimal():
            raise ApiError(400, f"{key} must be a number.")
        value = int(raw)
        if key == "theme" and s["theme"]["id"] != value or key == "format" and s["format"]["id"] != value:
            return False
        if key == "venue" and s["venue_id"] != value:
            return False
        if key == "audience" and value not in {a["id"] for a in s["audiences"]}:
            return False
    return True


@bp.get("/events/<slug>/sessions")
def sessions(slug: str):
    chosen = _check_query(FILTERS)
    ev, header = _event(slug)
    for key, raw in chosen.items():
        if key != "language" and not raw.isdecimal():
            raise ApiError(400, f"{key} must be a number.")
    return _cached(ev, header, "sessions", lambda snap: {
        "version": snap["number"],
        "sessions": [_session(snap, s, ev) for s in snap["sessions"] if _matches(s, chosen)],
        "cancelled": [{"id": s["id"], "title": s["title"]} for s in snap.get("cancelled", [])]})


@bp.get("/events/<slug>/sessions/<int:session_id>")
def session(slug: str, session_id: int):
    _check_query()
    ev, header = _event(slug)
    snap = load_version(header[0]).snapshot
    if not any(s["id"] == session_id for s in snap["sessions"]):
        raise ApiError(404, "No such session in the published programme.")
    return _cached(ev, header, f"session-{session_id}", lambda snap: _session(
        snap, next(s for s in snap["sessions"] if s["id"] == session_id), ev))


def _speakers(snap: dict) -> dict[int, dict]:
    out: dict[int, dict] = {}
    for s in snap["sessions"]:
        for p in s["speakers"]:
            entry = out.setdefault(p["id"], {"id": p["id"], "name": p["name"], "organisation": p["organisation"],
                                             "city": p["city"], "biography": p.get("bio") or "", "sessions": []})
            entry["sessions"].append(s["id"])
    return out


@bp.get("/events/<slug>/speakers")
def speakers(slug: str):
    _check_query()
    ev, header = _event(slug)
    return _cached(ev, header, "speakers", lambda snap: {"speakers": sorted(_speakers(snap).values(),
                                                                            key=lambda p: (p["name"], p["id"]))})


@bp.get("/events/<slug>/speakers/<int:speaker_id>")
def speaker(slug: str, speaker_id: int):
    _check_query()
    ev, header = _event(slug)
    if speaker_id not in _speakers(load_version(header[0]).snapshot):
        raise ApiError(404, "No such speaker in the published programme.")
    return _cached(ev, header, f"speaker-{speaker_id}", lambda snap: _speakers(snap)[speaker_id])


@bp.get("/events/<slug>/venues")
def venues(slug: str):
    _check_query()
    ev, header = _event(slug)
    return _cached(ev, header, "venues", lambda snap: {"venues": [
        {"id": v["id"], "name": v["name"], "address": v["address"],
         "rooms": [{"id": r["id"], "name": r["name"], "capacity": r["capacity"]} for r in v["rooms"]],
         "travel_minutes": {str(b if a == v["id"] else a): m for a, b, m in snap["travel"] if v["id"] in (a, b)}}
        for v in snap["venues"]]})


@bp.get("/events/<slug>/rooms")
def rooms(slug: str):
    _check_query()
    ev, header = _event(slug)
    return _cached(ev, header, "rooms", lambda snap: {"rooms": [
        {"id": r["id"], "name": r["name"], "capacity": r["capacity"], "venue": {"id": v["id"], "name": v["name"]}}
        for v in snap["venues"] for r in v["rooms"]]})


@bp.get("/openapi.json")
def openapi():
    """The document; its parameters carry a published event's slug and ids as examples, so that a tool exploring
    the API (schemathesis in the tests) reaches real answers, not only 404s."""
    _check_query()
    doc = json.loads(json.dumps(OPENAPI))
    doc["servers"] = [{"url": _base() + "/api/v1"}]
    for event in db.session.scalars(select(Event).order_by(Event.id)):
        header = latest_header(event)
        if header is None:
            continue
        snap = load_version(header[0]).snapshot
        examples = {"slug": event.slug}
        if snap["sessions"]:
            examples["session_id"] = snap["sessions"][0]["id"]
            examples["speaker_id"] = snap["sessions"][0]["speakers"][0]["id"] if snap["sessions"][0]["speakers"] \
                else 1
        for path in doc["paths"].values():
            for param in path["get"]["parameters"]:
                if param["name"] in examples:
                    param["example"] = examples[param["name"]]
        break
    return _json(doc)


@bp.errorhandler(HTTPException)
def _errors(err: HTTPException):
    if isinstance(err, ApiError):
        return err.get_response()
    return _json({"error": err.description or err.name, "status": err.code}, status=err.code or 500)


def _obj(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": properties, "required": required or list(properties)}


_STR, _INT = {"type": "string"}, {"type": "integer"}
_NAMED = _obj({"id": _INT, "name": _STR})
_BILINGUAL = _obj({"id": _INT, "name_de": _STR, "name_en": _STR})
_ERROR = {"description": "not found or not valid",
          "content": {"application/json": {"schema": _obj({"error": _STR, "status": _INT})}}}
_SESSION = _obj({
    "id": _INT, "title": _STR, "abstract": _STR, "description": _STR,
    "language": {"type": "string", "enum": ["de", "en"]},
    "start": {"type": "string", "format": "date-time"}, "end": {"type": "string", "format": "date-time"},
    "duration_minutes": _INT, "room": _NAMED, "venue": _NAMED, "theme": _BILINGUAL, "format": _BILINGUAL,
    "audiences": {"type": "array", "items": _BILINGUAL},
    "speakers": {"type": "array", "items": _obj({"id": _INT, "name": _STR, "organisation": _STR, "city": _STR})},
    "url": {"type": "string", "format": "uri"}})
_EVENT = _obj({"slug": _STR, "name": _STR, "starts_on": {"type": "string", "format": "date"},
               "ends_on": {"type": "string", "format": "date"}, "timezone": _STR, "version": _INT,
               "released_at": {"type": "string", "format": "date-time"}, "url": {"type": "string", "format": "uri"}})
_SPEAKER = _obj({"id": _INT, "name": _STR, "organisation": _STR, "city": _STR, "biography": _STR,
                 "sessions": {"type": "array", "items": _INT}})
_SLUG_PARAM = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string", "pattern": f"^{SLUG}$",
                                                                          "maxLength": 60}}


def _id_param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}


def _get(summary: str, schema: dict, params: list | None = None, errors: bool = True) -> dict:
    responses = {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
                 "400": _ERROR}
    if errors:
        responses["404"] = _ERROR
    return {"get": {"summary": summary, "parameters": params or [], "responses": responses}}


_FILTER_PARAMS = [{"name": k, "in": "query", "required": False,
                   "schema": {"type": "string", "enum": ["de", "en"]} if k == "language" else
                   {"type": "string", "pattern": "^[0-9]{1,9}$"}} for k in FILTERS]
OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "Call for sessions: released programmes", "version": "1.0.0",
             "description": "Read-only. Every answer comes from the latest released version of a programme; drafts "
                            "are never visible. Times carry their offset (the event's time zone)."},
    "paths": {
        "/events": _get("Events with a published programme", _obj({"events": {"type": "array", "items": _EVENT}}),
                        errors=False),
        "/events/{slug}": _get("One event and its latest version", _EVENT, [_SLUG_PARAM]),
        "/events/{slug}/sessions": _get("The sessions of the latest version, optionally filtered", _obj({
            "version": _INT, "sessions": {"type": "array", "items": _SESSION},
            "cancelled": {"type": "array", "items": _obj({"id": _INT, "title": _STR})}}),
            [_SLUG_PARAM, *_FILTER_PARAMS]),
        "/events/{slug}/sessions/{session_id}": _get("One session", _SESSION, [_SLUG_PARAM, _id_param("session_id")]),
        "/events/{slug}/speakers": _get("The speakers", _obj({"speakers": {"type": "array", "items": _SPEAKER}}),
                                        [_SLUG_PARAM]),
        "/events/{slug}/speakers/{speaker_id}": _get("One speaker", _SPEAKER, [_SLUG_PARAM, _id_param("speaker_id")]),
        "/events/{slug}/venues": _get("The venues, their rooms and the travel times between them", _obj({
            "venues": {"type": "array", "items": _obj({
                "id": _INT, "name": _STR, "address": _STR,
                "rooms": {"type": "array", "items": _obj({"id": _INT, "name": _STR, "capacity": _INT})},
                "travel_minutes": {"type": "object", "additionalProperties": _INT}})}}), [_SLUG_PARAM]),
        "/events/{slug}/rooms": _get("The rooms", _obj({"rooms": {"type": "array", "items": _obj({
            "id": _INT, "name": _STR, "capacity": _INT, "venue": _NAMED})}}), [_SLUG_PARAM]),
    },
}
