#!/usr/bin/env python3
"""Derive short postings from the labelled ones: every posting of the given files whose head
ends at a separator within its first 100 characters (":", " - ", "|", a dash, a line break),
cut to that head, a colon, and the first five words of its body, with its label.

A job board's posting is often that short: a title and one clause. The file checks that such a
text is read as a posting (its title decides), as its full version is; it is derived from
files the model was fitted on, so its figures are a check, not a measure of new queries.

Usage: Scripts/short-postings.py FILE... > short-postings.tsv
"""
import csv
import os
import re
import sys

SEPARATOR = re.compile(r" ?(:| - |\||\u2013|\u2014|\n)")
BODY_WORDS = 5


def main(paths):
    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    out.writerow(["query", "expected", "note"])
    for path in paths:
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f, delimiter="\t"))
        for number, row in enumerate(rows[1:], start=2):
            query, expected = row[0], row[1]
            m = SEPARATOR.search(query[:100])
            if not m:
                continue
            head, body = query[:m.start()].strip(), query[m.end():].split()
            if not head or not body:
                continue
            clause = " ".join(body[:BODY_WORDS]).rstrip(",;.")
            out.writerow([f"{head} : {clause}.", expected, f"{os.path.basename(path)} line {number}, body cut to {BODY_WORDS} words"])


if __name__ == "__main__":
    main(sys.argv[1:])
