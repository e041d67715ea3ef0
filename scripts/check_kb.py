#!/usr/bin/env python3
"""Validate newsgraph KB files (data/kb/*.tsv) against data/kb/FORMAT.md.

Usage: python3 scripts/check_kb.py [FILE_OR_DIR ...]   (default: data/kb)
Exit status 1 if any error is found.
"""
import os
import re
import sys
from collections import Counter

SUBTYPES = {
    "person": {"politician", "head_of_state", "head_of_government", "minister", "diplomat",
               "military", "official", "analyst", "journalist", "other"},
    "organization": {"government_body", "intl_org", "military", "armed_group", "party",
                     "news_agency", "think_tank", "company", "ngo", "court", "legislature", "other"},
    "place": {"country", "region", "city", "capital", "facility", "continent", "water", "other"},
    "group": {"nationality", "ethnic", "religious", "other"},
}
SECTORS = {"GOV", "MIL", "LEG", "JUD", "OPP", "REB", "IGO", "NGO", "BUS", "MED", "EDU", "SPY", "PTY"}
DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
CC = re.compile(r"^[A-Z]{2}$")
ID = re.compile(r"^(per|org|loc|grp):[a-z0-9][a-z0-9-]*$")


def files(args):
    for a in args:
        if os.path.isdir(a):
            for n in sorted(os.listdir(a)):
                if n.endswith(".tsv"):
                    yield os.path.join(a, n)
        else:
            yield a


def main():
    args = sys.argv[1:] or [os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "kb")]
    errors = 0
    ids = {}
    counts = Counter()
    refs = []
    ccrefs = []

    def err(path, n, msg):
        nonlocal errors
        errors += 1
        if errors <= 200:
            print("%s:%d: %s" % (os.path.basename(path), n, msg))

    for path in files(args):
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                cols = line.split("\t")
                if len(cols) != 8:
                    err(path, n, "expected 8 columns, got %d" % len(cols))
                    continue
                id_, typ, sub, name, aliases, cc, roles, attrs = cols
                if not ID.match(id_):
                    err(path, n, "bad id %r" % id_)
                if id_ in ids:
                    err(path, n, "duplicate id %s (first in %s)" % (id_, ids[id_]))
                ids[id_] = "%s:%d" % (os.path.basename(path), n)
                if typ not in SUBTYPES:
                    err(path, n, "bad type %r" % typ)
                elif sub not in SUBTYPES[typ]:
                    err(path, n, "bad subtype %r for %s" % (sub, typ))
                if not name.strip() or name != name.strip():
                    err(path, n, "empty or padded name")
                if cc and not CC.match(cc):
                    err(path, n, "bad country %r" % cc)
                elif cc:
                    ccrefs.append((path, n, cc))
                if aliases:
                    al = aliases.split("|")
                    low = [a.lower() for a in al]
                    if any(not a.strip() or a != a.strip() for a in al):
                        err(path, n, "empty or padded alias")
                    dup = [a for a, k in Counter(low).items() if k > 1]
                    if dup:
                        err(path, n, "duplicate aliases %s" % dup)
                    if name.lower() in low:
                        err(path, n, "alias repeats name %r" % name)
                if roles:
                    for r in roles.split(";"):
                        p = r.split("|")
                        if len(p) != 5:
                            err(path, n, "role needs 5 fields: %r" % r)
                            continue
                        title, rcc, sec, fr, to = p
                        if not title:
                            err(path, n, "role without title: %r" % r)
                        if rcc and not CC.match(rcc):
                            err(path, n, "bad role country %r" % r)
                        elif rcc:
                            ccrefs.append((path, n, rcc))
                        if sec not in SECTORS:
                            err(path, n, "bad sector %r" % r)
                        for d in (fr, to):
                            if d and not DATE.match(d):
                                err(path, n, "bad date %r in %r" % (d, r))
                        if fr and to and to < fr[:len(to)]:
                            err(path, n, "role ends before it starts: %r" % r)
                if attrs:
                    keys = []
                    for kv in attrs.split(";"):
                        if "=" not in kv:
                            err(path, n, "attr without '=': %r" % kv)
                            continue
                        k, v = kv.split("=", 1)
                        keys.append(k)
                        if k == "qid" and not re.match(r"^Q\d+$", v):
                            err(path, n, "bad qid %r" % v)
                        if k in ("lat", "lon"):
                            try:
                                x = float(v)
                                if abs(x) > (90 if k == "lat" else 180):
                                    err(path, n, "%s out of range" % k)
                            except ValueError:
                                err(path, n, "bad %s %r" % (k, v))
                        if k in ("capital", "parent"):
                            refs.append((path, n, v))
                    dk = [k for k, c in Counter(keys).items() if c > 1]
                    if dk:
                        err(path, n, "duplicate attr keys %s" % dk)
                counts[(os.path.basename(path), typ)] += 1
    for path, n, v in refs:
        if v not in ids:
            err(path, n, "reference to unknown id %s" % v)
    # country codes must have a loc:xx country entry (only checked when countries are loaded)
    if any(i.startswith("loc:") and len(i) == 6 for i in ids):
        for path, n, cc in ccrefs:
            if "loc:" + cc.lower() not in ids:
                err(path, n, "country code %s has no loc:%s entry" % (cc, cc.lower()))
    total = 0
    for (fn, typ), c in sorted(counts.items()):
        print("%-20s %-13s %6d" % (fn, typ, c))
        total += c
    print("total entries: %d; errors: %d" % (total, errors))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
