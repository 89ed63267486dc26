#!/usr/bin/env python3
"""The mutation score of a PIT run of ./ndk pit (steps/MUTATION.md).

    pit-score.py REPORTS            one line per completion path, then the combined score
    pit-score.py REPORTS --score    the combined score only: KILLED TOTAL (nothing when no report)

REPORTS is steps/target/pit-reports: one folder per completion path, each with PIT's
mutations.xml. A mutant is the same mutant on every path when its class, method, line, mutator,
instruction index and description are; it counts as killed when PIT detected it on any path
(killed, timed out, memory or run error), because the spec must catch it on some path, not on
each. Mutants listed in steps/src/test/resources/pit-equivalent-mutants.txt are left out of the
score and counted apart.
"""
import os
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
EQUIVALENT = os.path.join(HERE, "src", "test", "resources", "pit-equivalent-mutants.txt")


def key(m):
    """How a mutant is named here and in the equivalent list: Class.method:line mutator#index description."""
    cls = m.findtext("mutatedClass").rsplit(".", 1)[-1]
    mutator = m.findtext("mutator").rsplit(".", 1)[-1]
    index = ",".join(i.text for i in m.iter("index"))
    return f"{cls}.{m.findtext('mutatedMethod')}:{m.findtext('lineNumber')} {mutator}#{index} {m.findtext('description')}"


def equivalent():
    """The mutant keys of the equivalent list: each line `KEY | why no conforming observer could tell`."""
    if not os.path.exists(EQUIVALENT):
        return set()
    with open(EQUIVALENT, encoding="utf-8") as f:
        return {line.split(" | ", 1)[0].strip() for line in f if line.strip() and not line.startswith("#")}


def runs(reports):
    """(path, {key: (detected, status)}) for every completion path with a report."""
    out = []
    for path in sorted(os.listdir(reports)) if os.path.isdir(reports) else []:
        xml = os.path.join(reports, path, "mutations.xml")
        if os.path.isfile(xml):
            out.append((path, {key(m): (m.get("detected") == "true", m.get("status"))
                               for m in ET.parse(xml).getroot()}))
    return out


def main():
    reports = sys.argv[1]
    found = runs(reports)
    if not found:
        return 0
    skip = equivalent()
    combined = {}
    for _, mutants in found:
        for k, (detected, _) in mutants.items():
            combined[k] = combined.get(k, False) or detected
    scored = {k: d for k, d in combined.items() if k not in skip}
    killed, total = sum(scored.values()), len(scored)
    if "--score" in sys.argv[2:]:
        print(killed, total)
        return 0
    for path, mutants in found:
        counts = {}
        for _, status in mutants.values():
            counts[status] = counts.get(status, 0) + 1
        detected = sum(d for d, _ in mutants.values())
        print(f"  {path}: {detected} of {len(mutants)} mutants killed; "
              + ", ".join(f"{s.lower().replace('_', ' ')} {n}" for s, n in sorted(counts.items())))
    print(f"  combined over {', '.join(p for p, _ in found)}: {killed} of {total} killed"
          f" ({100 * killed // total if total else 0}%), {len(combined) - total} listed as equivalent")
    survivors = sorted(k for k, d in scored.items() if not d)
    if survivors:
        print(f"  not killed on any path: survived or not covered ({len(survivors)}):")
        for k in survivors:
            print("    " + k)
    return 0


if __name__ == "__main__":
    sys.exit(main())
