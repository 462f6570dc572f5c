#!/usr/bin/env python3
"""Writes N synthetic job postings as JSON Lines, built from the job cards' own sentences.

Usage: Scripts/generate-postings.py N [SEED] > postings.jsonl
Each posting has an id, a title (an appellation, sometimes with "H/F", seniority or a typo) and
a description (three activities and a savoir-faire of the same card, with recruiting noise);
some have only one of the two. Deterministic for a given seed.
"""
import json
import pathlib
import random
import sys

CARDS = pathlib.Path(__file__).resolve().parent.parent / "Index" / "cards"


def main():
    n = int(sys.argv[1])
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 42)
    cards = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(CARDS.glob("*.json"))]
    noise = ["H/F", "F/H", "(H/F)", "Senior", "Junior", "confirmé", "CDI", "- Paris", "- Lyon", ""]
    for i in range(n):
        card = rng.choice(cards)
        titles = [card["name"]] + [a["label"] for a in card["appellations"]]
        title = f"{rng.choice(titles)} {rng.choice(noise)}".strip()
        sentences = rng.sample(card["activites_principales"], min(3, len(card["activites_principales"])))
        sentences += rng.sample(card["savoir_faire"], min(1, len(card["savoir_faire"])))
        description = "Nous recherchons un(e) talent pour notre client. Missions : " + " ; ".join(sentences) + ". Télétravail partiel, salaire selon profil."
        posting = {"id": f"p{i:06d}", "title": title, "description": description}
        shape = rng.random()
        if shape < 0.1:
            del posting["description"]
        elif shape < 0.2:
            del posting["title"]
        sys.stdout.write(json.dumps(posting, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
