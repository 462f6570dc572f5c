#!/usr/bin/env python3
"""Derive postings that open with an introduction of the employer: every posting of the given
files after one of the sentences below in turn, with the same label.

Job boards' postings often open so ("Notre client, un groupe bancaire de 20 000 collaborateurs,
poursuit sa transformation numérique."); the job's title comes after. The file checks that the
introduction is passed over, its title found and its words not taken for the job's. It is derived
from files the model was fitted on: its figures are a check, not a measure of new queries.

Usage: Scripts/introduced-postings.py FILE... > introduced-postings.tsv
"""
import sys

from labelled import derive_in_turn

INTRODUCTIONS = [
    "Société de services numériques de 250 personnes, nous accompagnons nos clients grands comptes depuis 2005.",
    "Notre client, un groupe bancaire international de 20 000 collaborateurs, poursuit la transformation numérique de ses métiers.",
    "Qui sommes-nous ? Une start-up de 40 personnes qui édite une plateforme SaaS pour la logistique du dernier kilomètre.",
    "Acteur majeur de la distribution en France avec plus de 300 magasins, notre groupe renforce ses équipes au siège lyonnais.",
]


def introduced(query, introduction):
    return f"{introduction} {query}", f"after {introduction[:30]!r}…"


if __name__ == "__main__":
    derive_in_turn(sys.argv[1:], INTRODUCTIONS, introduced)
