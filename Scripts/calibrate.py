#!/usr/bin/env python3
"""Fit the confidence model of metiers (Sources/MetiersSearch/Confidence.swift).

Usage:
  metiersd --db DB --socket S --disable-feature abstention &
  metiers eval --socket S --dump-features answers.jsonl ../shared/eval/*.tsv
  Scripts/calibrate.py answers.jsonl

The first result of every answer is one example: its features (the same ones the daemon
computes) and whether its id is an acceptable answer (never, for out-of-scope queries). A logistic regression (L2-regularised,
fitted with Newton's method, numpy only) gives a probability that a candidate is right; it is
fitted on all files at once and also checked with leave-one-file-out, so the figures printed
say how it does on queries it was not fitted on. Then the threshold: the highest that keeps at
most 2% of in-scope queries empty, so that as many out-of-scope queries as possible are empty.
The daemon answers nothing when the first result is under the threshold, and otherwise drops
the results under a tenth of it.
Paste the printed coefficients and threshold into Confidence.swift.
"""
import json
import sys

import numpy as np

FEATURES = ["title_share", "coverage", "title_coverage", "relative_weight", "margin", "sqrt(query_words)",
            "posting", "posting*coverage"]


def vector(f):
    # Same transformation as Confidence.vector in Swift.
    posting = 1.0 if f["query_words"] >= 10 else 0.0
    return [f["title_share"], f["coverage"], f["title_coverage"], f["relative_weight"], f["margin"],
            min(f["query_words"], 40) ** 0.5, posting, posting * f["coverage"]]


def load(path):
    rows = []
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        expected = r["row"]["expected"]
        cands = [(c["id"], vector(c["features"])) for c in r["response"].get("results", [])]
        rows.append({"file": r["row"]["file"], "query": r["row"]["query"], "expected": expected, "cands": cands})
    return rows


def fit(rows, l2=1.0, iterations=50):
    X, y = [], []
    for r in rows:
        for cid, v in r["cands"][:1]:
            X.append([1.0] + v)
            y.append(1.0 if cid in r["expected"] else 0.0)
    X, y = np.array(X), np.array(y)
    w = np.zeros(X.shape[1])
    reg = l2 * np.eye(X.shape[1])
    reg[0, 0] = 0
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-X @ w))
        grad = X.T @ (p - y) + reg @ w
        hess = X.T @ (X * (p * (1 - p))[:, None]) + reg
        w -= np.linalg.solve(hess, grad)
    return w


def predict(w, v):
    return 1 / (1 + np.exp(-(w[0] + np.dot(w[1:], v))))


def evaluate(rows, w, threshold):
    inscope = [r for r in rows if r["expected"]]
    oos = [r for r in rows if not r["expected"]]
    top1 = top3 = empty_in = 0
    for r in inscope:
        confident = r["cands"] and predict(w, r["cands"][0][1]) >= threshold
        kept = [cid for cid, v in r["cands"] if predict(w, v) >= threshold / 10] if confident else []
        if not kept:
            empty_in += 1
        if kept[:1] and kept[0] in r["expected"]:
            top1 += 1
        if any(c in r["expected"] for c in kept[:3]):
            top3 += 1
    empty_oos = sum(1 for r in oos if not r["cands"] or predict(w, r["cands"][0][1]) < threshold)
    n = max(len(inscope), 1)
    return top1 / n, top3 / n, empty_in / n, (empty_oos / len(oos) if oos else float("nan"))


def best_threshold(rows, w, max_empty_in=0.02):
    """The highest threshold that keeps every file's in-scope queries empty at most 2%."""
    files = sorted({r["file"] for r in rows})
    best = 0.0
    for t in np.arange(0.05, 0.95, 0.01):
        if all(evaluate([r for r in rows if r["file"] == f], w, t)[2] <= max_empty_in for f in files):
            best = t
    return round(float(best), 2)


def main():
    rows = load(sys.argv[1])
    files = sorted({r["file"] for r in rows})
    print("leave-one-file-out (fitted without the file, threshold chosen without it):")
    for f in files:
        train = [r for r in rows if r["file"] != f]
        test = [r for r in rows if r["file"] == f]
        w = fit(train)
        t = best_threshold(train, w)
        t1, t3, ei, eo = evaluate(test, w, t)
        print(f"  {f:24s} top1 {t1:.3f} top3 {t3:.3f} in-scope-empty {ei:.3f} none-empty {eo:.3f} (t={t})")
    w = fit(rows)
    t = best_threshold(rows, w)
    print("fitted on all files:")
    for f in files:
        t1, t3, ei, eo = evaluate([r for r in rows if r["file"] == f], w, t)
        print(f"  {f:24s} top1 {t1:.3f} top3 {t3:.3f} in-scope-empty {ei:.3f} none-empty {eo:.3f}")
    print("coefficients (intercept, " + ", ".join(FEATURES) + "):")
    print("  [" + ", ".join(f"{x:.3f}" for x in w) + "]")
    print(f"threshold: {t}")


if __name__ == "__main__":
    main()
