#!/usr/bin/env python3
"""Validates real daemon responses, and the requests that caused them, against docs/schema/.

Usage: Scripts/check-protocol.py SOCKET. Sends one request of every operation (and requests
that fail in every documented way) and checks each response with the JSON Schema of its kind.
Exits 1 on the first response that does not match, printing it and the schema error.
"""
import json
import pathlib
import socket
import sys

import jsonschema
from referencing import Registry, Resource

SCHEMAS = pathlib.Path(__file__).resolve().parent.parent / "docs" / "schema"


def registry():
    resources = []
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def validator(name, reg):
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, registry=reg)


def main():
    reg = registry()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(sys.argv[1])
    reader = sock.makefile("rb")
    cases = [
        ({"v": 1, "id": 1, "op": "search", "query": "développeur java", "explain": True, "facets": True}, "search"),
        ({"op": "search", "query": "chef de projet", "famille": ["Production"], "rome": "M1810", "limit": 5}, "search"),
        ({"op": "search", "query": "boulanger"}, "search"),
        ({"op": "search", "query": "devloppeur java"}, "search"),
        ({"op": "map", "title": "Ingénieur d'affaires", "id": "m"}, "map"),
        ({"op": "classify", "postings": [{"id": "a", "title": "DBA Oracle"}, {"id": 2, "description": "Support utilisateurs N1, tickets"}, {"id": "c"}], "limit": 2}, "classify"),
        ({"op": "show", "card": "directeur-de-projet"}, "show"),
        ({"op": "similar", "card": "concepteur-developpeur", "limit": 3}, "similar"),
        ({"op": "cards"}, "cards"),
        ({"op": "mobility", "card": "concepteur-developpeur"}, "mobility"),
        ({"op": "mobility", "card": "directeur-de-projet", "steps": 3}, "mobility"),
        ({"op": "mobility", "card": "nobody"}, "error"),
        ({"op": "mobility", "card": "concepteur-developpeur", "steps": 11}, "error"),
        ({"op": "health"}, "health"),
        ({"op": "stats"}, "stats"),
        ({"op": "reload"}, "reload"),
        ({"op": "rome", "code": "M1805"}, "rome"),
        ({"op": "rome", "code": "m1855", "id": "r"}, "rome"),
        ({"op": "search", "query": "Technicien de maintenance industrielle"}, "search"),
        ({"op": "classify", "postings": [{"id": 1, "title": "Boulanger H/F"}], "rome": ["M1855"]}, "classify"),
        ({"op": "suggest", "query": "dév web", "limit": 8}, "suggest"),
        ({"op": "suggest", "query": "chef de pro", "id": "s"}, "suggest"),
        ({"op": "suggest", "query": "boulang", "limit": 3}, "suggest"),
        ({"op": "suggest", "query": "zzqxw"}, "suggest"),
        ({"op": "suggest", "query": "   "}, "error"),
        ({"op": "suggest", "query": "dev", "limit": 21}, "error"),
        ({"op": "suggest", "query": "x" * 201}, "error"),
        ({"op": "suggest", "query": "dev", "offset": 1}, "error"),
        ({"op": "rome", "code": "A9999"}, "error"),
        ({"op": "rome", "code": "boulanger"}, "error"),
        ({"op": "show", "card": "nobody"}, "error"),
        ({"op": "dance"}, "error"),
        ({"op": "search"}, "error"),
        ({"op": "search", "query": "le la"}, "error"),
        ({"op": "search", "query": "chef \"de"}, "error"),
        ({"v": 2, "op": "health"}, "error"),
        ("not json", "error"),
    ]
    checked = 0
    for request, kind in cases:
        # The classify case holds a posting with neither title nor description on purpose (it
        # must fail alone), so that request is not itself valid.
        if isinstance(request, dict) and kind not in ("error", "classify"):
            validator(f"{request['op']}.request.json", reg).validate(request)
        line = request if isinstance(request, str) else json.dumps(request, ensure_ascii=False)
        sock.sendall(line.encode("utf-8") + b"\n")
        response = json.loads(reader.readline())
        name = "error.response.json" if kind == "error" else f"{kind}.response.json"
        errors = sorted(validator(name, reg).iter_errors(response), key=lambda e: e.path)
        if errors:
            print(f"{name}: response to {line[:80]} does not match:\n  {errors[0].message}\n  at {list(errors[0].path)}\n  {json.dumps(response)[:500]}", file=sys.stderr)
            sys.exit(1)
        checked += 1
    print(f"protocol: {checked} responses of {len(set(k for _, k in cases))} kinds match docs/schema/")


if __name__ == "__main__":
    main()
