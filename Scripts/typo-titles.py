#!/usr/bin/env python3
"""Derive mistyped titles from the labelled ones: in every title, its longest word (of 6 letters
or more) with one typing slip, a letter left out, two letters swapped or a letter doubled, the
kind and the place drawn from the title itself (so the file is the same on every run), with the
same label. Titles without such a word are left out.

"Acount manager", "Adminsitrateur système", "Ppuitreur" name the jobs their spelling does: the
file checks that spelling correction brings a title back to the words titles write (the cards',
ROME's, the vocabulary's). It is derived from files the model was fitted on: its figures are a
check, not a measure of new queries.

Usage: Scripts/typo-titles.py [--seed N] FILE... > typo-titles.tsv
"""
import hashlib
import sys

from labelled import derive

SLIPS = ("left out", "swapped", "doubled")


def mistyped(query, seed):
    words = query.split(" ")
    i = max(range(len(words)), key=lambda k: len(words[k]))
    word = words[i]
    if len(word) < 6 or not word.isalpha():
        return None
    draw = int(hashlib.sha256(f"{seed}:{query}".encode()).hexdigest(), 16)
    at = 1 + draw % (len(word) - 2)
    slip = SLIPS[(draw // 97) % len(SLIPS)]
    if slip == "left out":
        word = word[:at] + word[at + 1:]
    elif slip == "swapped":
        word = word[:at] + word[at + 1] + word[at] + word[at + 2:]
    else:
        word = word[:at] + word[at] + word[at:]
    if word == words[i]:
        return None
    words[i] = word
    return " ".join(words), f"a letter {slip} in its longest word"


def main(args):
    seed = 0
    if args[:1] == ["--seed"]:
        seed, args = int(args[1]), args[2:]
    derive(args, lambda query: mistyped(query, seed))


if __name__ == "__main__":
    main(sys.argv[1:])
