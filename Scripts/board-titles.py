#!/usr/bin/env python3
"""Derive job-board titles from the labelled ones: every title of the given files with the
details a job board writes after it (contract, gender mark, city, department, company, remote
work), one suffix per row in turn from the list below, with the same label.

"Développeur Java - CDI - Paris (75)" names the same job as "Développeur Java": the file checks
that a title's details neither change its answer nor dilute it (a city or a company is a word no
card writes). The suffixes name towns and companies that no word list of the search holds
(Villeurbanne, Capgemini, Sopra Steria) beside ones it does (Paris). It is derived from files the
model was fitted on: its figures are a check, not a measure of new queries.

Usage: Scripts/board-titles.py FILE... > board-titles.tsv
"""
import sys

from labelled import derive_in_turn

SUFFIXES = [
    " - CDI - Paris (75)",
    " (H/F) - Villeurbanne",
    " | Capgemini",
    " - CDI - Télétravail partiel - Lyon 3e",
    " - Sopra Steria - Boulogne-Billancourt",
    ", Nantes",
    " - Freelance - Sophia Antipolis (06)",
]


def board_title(query, suffix):
    return query + suffix, f"with {suffix.strip(' -|,')!r}"


if __name__ == "__main__":
    derive_in_turn(sys.argv[1:], SUFFIXES, board_title)
