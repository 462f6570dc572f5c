"""Labelled query files (`query<TAB>expected<TAB>note`, one header line): what the scripts that
derive a check from them share."""
import csv
import itertools
import os
import sys


def derive(paths, make):
    """Writes to stdout, as a labelled file, `make(query)` of every row of `paths` for which it
    is not None: the new query with the row's label, noted with the row it comes from and what
    `make` says of it. `make` returns (query, note) or None."""
    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    out.writerow(["query", "expected", "note"])
    for path in paths:
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f, delimiter="\t"))
        for number, row in enumerate(rows[1:], start=2):
            made = make(row[0])
            if made:
                query, note = made
                out.writerow([query, row[1], f"{os.path.basename(path)} line {number}, {note}"])


def derive_in_turn(paths, choices, make):
    """`derive` with one of `choices` for each row in turn: `make(query, choice)`."""
    turn = itertools.cycle(choices)
    derive(paths, lambda query: make(query, next(turn)))
