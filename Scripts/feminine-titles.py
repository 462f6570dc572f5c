#!/usr/bin/env python3
"""Derive feminine titles from the labelled ones: in every title of the given files, the job
noun it opens with made feminine ("Consultant" → "Consultante", "Chargé" → "Chargée", "Commercial" →
"Commerciale") and the adjectives right after it agreeing ("Directeur commercial" → "Directrice
commerciale", "Responsable commercial" → "Responsable commerciale"), with the same label. Titles
that stay as they were, and titles that already write both genders ("/", "(e)", "·"), are left
out.

The eval files' titles are written in the masculine, as the referentiel's are; recruiters type
the feminine as often. The table below is written by hand from French grammar, independently
of the search's own folding (`FrenchWords`), so the file checks that rule rather than repeats
it. It is derived from files the model was fitted on: its figures are a check that a title
answers the same in either gender, not a measure of new queries.

Usage: Scripts/feminine-titles.py FILE... > feminine-titles.tsv
"""
import sys

from labelled import derive

# Masculine job nouns → feminine.
NOUNS = {
    "acheteur": "acheteuse", "adjoint": "adjointe", "administrateur": "administratrice", "agent": "agente",
    "animateur": "animatrice", "assistant": "assistante", "attaché": "attachée", "auditeur": "auditrice",
    "chargé": "chargée", "chef": "cheffe", "commercial": "commerciale", "concepteur": "conceptrice",
    "conseiller": "conseillère", "consultant": "consultante", "coordinateur": "coordinatrice",
    "correspondant": "correspondante", "délégué": "déléguée", "développeur": "développeuse", "directeur": "directrice",
    "employé": "employée", "expert": "experte", "exploitant": "exploitante", "formateur": "formatrice",
    "gérant": "gérante", "informaticien": "informaticienne", "ingénieur": "ingénieure", "intégrateur": "intégratrice",
    "intervenant": "intervenante", "opérateur": "opératrice", "programmeur": "programmeuse", "pupitreur": "pupitreuse",
    "rédacteur": "rédactrice", "référent": "référente", "superviseur": "superviseuse", "technicien": "technicienne",
    "testeur": "testeuse", "vendeur": "vendeuse",
}
# Job nouns with one form for both genders: they start the agreement of what follows.
EPICENE = {"analyste", "architecte", "gestionnaire", "manager", "pilote", "responsable", "spécialiste", "urbaniste"}
# Adjectives that agree with the noun before them.
ADJECTIVES = {
    "applicatif": "applicative", "commercial": "commerciale", "confirmé": "confirmée", "décisionnel": "décisionnelle",
    "expérimenté": "expérimentée", "expert": "experte", "fonctionnel": "fonctionnelle", "indépendant": "indépendante",
    "itinérant": "itinérante", "opérationnel": "opérationnelle", "principal": "principale", "spécialisé": "spécialisée",
    "technico-commercial": "technico-commerciale",
}


def cased(written, form):
    return form[0].upper() + form[1:] if written[:1].isupper() else form


def feminine(title):
    """The title with its job noun (its first word) and its adjectives feminine; None when nothing changes."""
    words = title.split(" ")
    out, agreeing = [], False
    for i, word in enumerate(words):
        key = word.lower()
        # French puts the job noun first; an English title ("Technical consultant") stays as it is.
        if i == 0 and (key in NOUNS or key in EPICENE):
            out.append(cased(word, NOUNS.get(key, word)))
            agreeing = True
        elif agreeing and key in ADJECTIVES:
            out.append(cased(word, ADJECTIVES[key]))
        else:
            out.append(word)
            agreeing = False
    result = " ".join(out)
    return result if result != title else None


def feminine_title(query):
    """The title in the feminine; None for one that writes both genders or does not change."""
    if any(mark in query for mark in ("/", "(", "\u00b7")):
        return None
    made = feminine(query)
    return (made, "in the feminine") if made else None


if __name__ == "__main__":
    derive(sys.argv[1:], feminine_title)
