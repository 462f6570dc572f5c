#!/usr/bin/env python3
"""Classify job postings through metiersd, with Python's standard library only.

Usage: python3 examples/classify.py POSTINGS.jsonl [--socket PATH] [--batch N] > answers.jsonl

Each input line is {"id": ..., "title": ..., "description": ...} (title or description may be
missing, not both). Each output line is the daemon's answer for that posting, in input order:
{"id", "ok", "results": [{"id", "name", "famille", "sous_famille", "rome", "confidence", ...}],
"match"} or {"id", "ok": false, "error": {"code", "message"}}. The protocol is documented in
docs/PROTOCOL.md.
"""
import argparse
import json
import os
import socket
import sys


class Metiers:
    """A connection to metiersd: JSON Lines over a Unix socket."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.reader = self.sock.makefile("rb")
        self.next_id = 0

    def request(self, op, **fields):
        self.next_id += 1
        message = {"v": 1, "id": self.next_id, "op": op, **fields}
        self.sock.sendall(json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n")
        line = self.reader.readline()
        if not line:
            raise ConnectionError("the daemon closed the connection")
        response = json.loads(line)
        if response.get("id") != self.next_id:
            raise RuntimeError(f"answer for request {response.get('id')}, expected {self.next_id}")
        if not response["ok"]:
            error = response["error"]
            raise RuntimeError(f"{error['code']}: {error['message']}")
        return response

    def classify(self, postings, limit=3):
        return self.request("classify", postings=postings, limit=limit)["items"]


def read_postings(path):
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                posting = json.loads(line)
            except json.JSONDecodeError as e:
                print(f"line {number}: not JSON ({e}); skipped", file=sys.stderr)
                continue
            yield posting


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("postings")
    parser.add_argument("--socket", default=os.environ.get("METIERS_SOCKET", "/tmp/metiers.sock"))
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()

    metiers = Metiers(args.socket)
    health = metiers.request("health")
    print(f"metiersd: index {health['index_version']}, {health['card_count']} cards", file=sys.stderr)
    batch, done = [], 0
    out = sys.stdout

    def flush():
        nonlocal done
        for item in metiers.classify(batch):
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
            done += 1
        batch.clear()

    for posting in read_postings(args.postings):
        batch.append(posting)
        if len(batch) == args.batch:
            flush()
    if batch:
        flush()
    print(f"{done} postings classified", file=sys.stderr)


if __name__ == "__main__":
    main()
