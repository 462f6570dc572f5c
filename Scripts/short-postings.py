#!/usr/bin/env python3
"""Derive short postings from the labelled ones: every posting of the given files whose head
ends at a separator within its first 100 characters (":", " - ", "|", a dash, a line break),
cut to that head, a colon, and the first five words of its body, with its label.

A job board's posting is often that short: a title and one clause. The file checks that such a
text is read as a posting (its title decides), as its full version is; it is derived from
files the model was fitted on, so its figures are a check, not a measure of new queries.

Usage: Scripts/short-postings.py FILE... > short-postings.tsv
"""
import re
import sys

from labelled import derive

SEPARATOR = re.compile(r" ?(:| - |\||\u2013|\u2014|\n)")
BODY_WORDS = 5


def short(query):
    """The posting cut to its head and a clause; None for a posting without a head."""
    m = SEPARATOR.search(query[:100])
    if not m:
        return None
    head, body = query[:m.start()].strip(), query[m.end():].split()
    if not head or not body:
        return None
    clause = " ".join(body[:BODY_WORDS]).rstrip(",;.")
    return f"{head} : {clause}.", f"body cut to {BODY_WORDS} words"


if __name__ == "__main__":
    derive(sys.argv[1:], short)
