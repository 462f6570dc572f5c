#!/usr/bin/env python3
"""Checks real HTTP answers of a live metiersd against docs/openapi.yaml.

Usage: Scripts/http-check-responses.py URL (metiersd --http, with a static directory holding
index.html, app.js and css/style.css, and outside.txt beside it). One request of every route,
and requests that fail in each documented way: each answer's status must be documented for its
operation, its Content-Type must match, and a JSON body must match the documented schema.
Exits 1 on the first answer that does not. Needs jsonschema and PyYAML (schemathesis brings both).
"""
import json
import pathlib
import sys
import urllib.error
import urllib.request

import jsonschema
import yaml

DOC = yaml.safe_load((pathlib.Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml").read_text(encoding="utf-8"))


def pointer(*parts):
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def fetch(base, method, path, body=None, headers=None):
    request = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def check(base, method, route, path, status, body=None, headers=None, expect=None):
    got, response_headers, data = fetch(base, method, path, body, headers)
    label = f"{method} {path[:80]}"
    if got != status:
        sys.exit(f"{label}: status {got}, expected {status}: {data[:300]!r}")
    item = DOC["paths"][route]
    if method.lower() in item:
        responses = item[method.lower()]["responses"]
        if str(status) not in responses:
            sys.exit(f"{label}: status {status} is not documented for {route}")
        content = responses[str(status)].get("content", {})
        where = pointer("paths", route, method.lower(), "responses", str(status), "content", "application/json", "schema")
    else:
        # A method the route does not take: 405 with the error object.
        content = {"application/json": {}}
        where = "#/components/schemas/ErrorResponse"
    media = (response_headers.get("Content-Type") or "").split(";")[0].strip()
    if content and media not in content and "*/*" not in content:
        sys.exit(f"{label}: Content-Type {media} is not documented ({', '.join(content)})")
    if media == "application/json":
        value = json.loads(data)
        schema = dict(DOC)
        schema["$ref"] = where
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(value), key=lambda e: e.path)
        if errors:
            sys.exit(f"{label}: the body does not match the contract: {errors[0].message} at {list(errors[0].path)}\n{data[:500]!r}")
    if expect:
        expect(label, response_headers, data)
    return data


def header(name, value):
    def verify(label, headers, _):
        if headers.get(name) != value:
            sys.exit(f"{label}: {name} is {headers.get(name)!r}, expected {value!r}")
    return verify


def main():
    base = sys.argv[1].rstrip("/")
    n = 0

    def ok(*args, **kwargs):
        nonlocal n
        n += 1
        return check(base, *args, **kwargs)

    ok("GET", "/healthz", "/healthz", 200)
    ok("GET", "/v1/stats", "/v1/stats", 200)
    ok("GET", "/v1/search", "/v1/search?q=d%C3%A9veloppeur+java&explain=true&facets=true&limit=3", 200)
    ok("GET", "/v1/search", "/v1/search?q=chef+de+projet&famille=Production&rome=M1810&rome=M1805&offset=1", 200)
    ok("GET", "/v1/search", "/v1/search?q=boulanger", 200)
    ok("GET", "/v1/map", "/v1/map?title=admin+sys&limit=2", 200)
    ok("POST", "/v1/classify", "/v1/classify", 200,
       json.dumps({"postings": [{"id": 1, "title": "Développeur Java"}, {"id": "b", "description": "administration réseau"}, {"id": 3}], "limit": 2}).encode(),
       {"Content-Type": "application/json"})
    ok("POST", "/v1/classify", "/v1/classify?limit=1", 200,
       '{"id":1,"title":"développeur web"}\n\n{"id":2,"title":"technicien support"}\n'.encode(), {"Content-Type": "application/x-ndjson"})
    ok("GET", "/v1/cards/{id}", "/v1/cards/concepteur-developpeur", 200)
    ok("GET", "/v1/cards/{id}/similar", "/v1/cards/concepteur-developpeur/similar?limit=3", 200)
    if "/v1/cards/{id}/mobility" in DOC["paths"]:
        ok("GET", "/v1/cards/{id}/mobility", "/v1/cards/concepteur-developpeur/mobility?steps=2", 200)
    ok("GET", "/v1/rome/{code}", "/v1/rome/M1805", 200)
    ok("GET", "/v1/rome/{code}", "/v1/rome/m1855", 200)
    # Failures, each with its status.
    ok("GET", "/v1/search", "/v1/search?q=", 400)
    ok("GET", "/v1/search", "/v1/search?q=%22unbalanced", 400)
    ok("GET", "/v1/search", "/v1/search?q=java&limit=0", 400)
    ok("GET", "/v1/search", "/v1/search?q=java&limit=ten", 400)
    ok("GET", "/v1/search", "/v1/search?q=java&explain=yes", 400)
    ok("GET", "/v1/search", "/v1/search?q=java&unknown=1", 400)
    ok("GET", "/v1/cards/{id}", "/v1/cards/no-such-card", 404)
    ok("GET", "/v1/cards/{id}/similar", "/v1/cards/no-such-card/similar", 404)
    ok("GET", "/v1/rome/{code}", "/v1/rome/Z9999", 400)
    ok("GET", "/v1/rome/{code}", "/v1/rome/M0000", 404)
    ok("POST", "/v1/classify", "/v1/classify", 400, b"{not json", {"Content-Type": "application/json"})
    ok("POST", "/v1/classify", "/v1/classify", 400, b"[1]", {"Content-Type": "application/json"})
    ok("POST", "/v1/classify", "/v1/classify", 400, b'{"id":1}\nnope\n', {"Content-Type": "application/x-ndjson"})
    ok("POST", "/v1/classify", "/v1/classify", 413, b'{"postings":[' + b" " * (1 << 20) + b"]}", {"Content-Type": "application/json"})
    # Past NIOHTTP1's bound on a request's head (80 KiB): not HTTP it reads, 400.
    ok("GET", "/v1/search", "/v1/search?q=" + "a" * (1 << 20), 400)
    ok("DELETE", "/v1/search", "/v1/search", 405, expect=header("Allow", "GET, HEAD"))
    ok("GET", "/v1/classify", "/v1/classify", 405, expect=header("Allow", "POST"))
    # The page.
    ok("GET", "/", "/", 200, expect=header("Cache-Control", "no-cache"))
    js = ok("GET", "/static/{file}", "/app.js", 200, expect=header("Content-Type", "text/javascript; charset=utf-8"))
    assert js.startswith(b"console.log"), js
    ok("GET", "/static/{file}", "/static/css/style.css", 200, expect=header("Cache-Control", "public, max-age=300"))
    ok("GET", "/static/{file}", "/static/app.js", 200)
    for escape in ["/static/..%2Foutside.txt", "/static/%2E%2E/outside.txt", "/..%2F..%2Fetc%2Fpasswd", "/static/.hidden", "/nothing.js"]:
        ok("GET", "/static/{file}", escape, 404)
    status, _, _ = fetch(base, "GET", "/metrics")
    assert status == 200, status
    text = fetch(base, "GET", "/metrics")[2].decode()
    for name in ["metiers_requests_total", "metiers_request_duration_seconds_bucket", "metiers_search_queue_depth", "metiers_connections_open"]:
        if name not in text:
            sys.exit(f"/metrics: no {name}")
    print(f"http-check-responses: {n} answers match docs/openapi.yaml; /metrics has the four metrics")


main()
