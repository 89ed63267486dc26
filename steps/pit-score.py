#!/usr/bin/env python3
"""The mutation score of ./ndk pit (steps/MUTATION.md), from a fresh report or the committed results.

    pit-score.py REPORTS                 one line per completion path, then the combined score and
                                         every mutant not killed
    pit-score.py REPORTS --score         the combined score only: KILLED TOTAL (nothing when no report)
    pit-score.py REPORTS --write FILE    the per-mutant results of REPORTS into FILE (the committed
                                         steps/pit-results.tsv), with the digest of the inputs
    pit-score.py --check FILE            one line: the committed results' score, and whether they
                                         measured the inputs checked out now (current) or not (stale)
    pit-score.py --digest                the digest of the inputs checked out now

REPORTS is steps/target/pit-reports: one folder per completion path, each with PIT's
mutations.xml; a FILE written by --write stands for REPORTS too. A mutant is the same mutant on
every path when its class, method, line, mutator, instruction index and description are; it counts
as killed when PIT detected it on any path (killed, timed out, memory or run error), because the
spec must catch it on some path, not on each. Mutants listed in
steps/src/test/resources/pit-equivalent-mutants.txt are left out of the score and counted apart
(the list is read now, so it may change without a new run).

The inputs are what decides which mutants exist and which the spec kills: the simulated provider's
and the SPI's sources, the features, the steps, the mutation suites and the POMs that configure
PIT. Their digest is over the files' contents with line endings normalised, so it is the same on
every clone of a commit (a commit cannot name its own hash, a digest of its inputs it can hold).
"""
import hashlib
import os
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EQUIVALENT = os.path.join(HERE, "src", "test", "resources", "pit-equivalent-mutants.txt")
INPUTS = ["pom.xml", "providers/spi/src/main", "providers/simulated/src/main", "providers/simulated/pom.xml",
          "features", "steps/src/main", "steps/src/test/java/org/ndkkit/steps/mutation", "steps/pom.xml"]
PATHS = ("pending", "inline", "pending-in-call")


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


def walk_sources(top):
    """os.walk without the build output folders."""
    for d, dirs, fs in os.walk(top):
        dirs[:] = [x for x in dirs if x != "target"]
        yield d, dirs, fs


def digest():
    """sha256 over every input file: its path from the root and its contents (CRLF read as LF).
    Build output (any `target` folder, e.g. features/target once built) is not an input: with it the
    digest depended on what had been built."""
    h = hashlib.sha256()
    for top in INPUTS:
        full = os.path.join(ROOT, top)
        files = [full] if os.path.isfile(full) else sorted(
            os.path.join(d, f) for d, _, fs in walk_sources(full) for f in fs)
        for f in sorted(files):
            with open(f, "rb") as fh:
                body = fh.read().replace(b"\r\n", b"\n")
            rel = os.path.relpath(f, ROOT).replace(os.sep, "/")
            h.update(rel.encode() + b"\0" + hashlib.sha256(body).digest())
    return h.hexdigest()


def runs(reports):
    """(path, {key: (detected, status)}) for every completion path with a report, or in a results file."""
    if os.path.isfile(reports):
        return read_results(reports)[1]
    out = []
    for path in sorted(os.listdir(reports)) if os.path.isdir(reports) else []:
        xml = os.path.join(reports, path, "mutations.xml")
        if os.path.isfile(xml):
            out.append((path, {key(m): (m.get("detected") == "true", m.get("status"))
                               for m in ET.parse(xml).getroot()}))
    return out


def read_results(file):
    """({header: value}, runs) of a results file written by --write."""
    header, paths, table = {}, [], []
    with open(file, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# ") and ": " in line:
                k, v = line[2:].split(": ", 1)
                header[k] = v
            elif line.startswith("mutant\t"):
                paths = line.split("\t")[1:]
            elif line and not line.startswith("#"):
                table.append(line.split("\t"))
    out = [(p, {}) for p in paths]
    for row in table:
        for i, status in enumerate(row[1:]):
            if status != "-":
                out[i][1][row[0]] = (status in ("KILLED", "TIMED_OUT", "MEMORY_ERROR", "RUN_ERROR"), status)
    return header, out


def combine(found):
    skip = equivalent()
    combined = {}
    for _, mutants in found:
        for k, (detected, _) in mutants.items():
            combined[k] = combined.get(k, False) or detected
    scored = {k: d for k, d in combined.items() if k not in skip}
    return combined, scored


def commit():
    """The commit checked out when the results were written (informative; the digest decides current)."""
    import subprocess
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", ".", ":!steps/pit-results.tsv"],
                               capture_output=True, text=True,
                               check=True).stdout.strip()
        return head + (" with uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def write(reports, file, scope, took):
    found = runs(reports)
    if not found:
        print(f"pit-score: no report in {reports}", file=sys.stderr)
        return 1
    keys = sorted({k for _, ms in found for k in ms})
    combined, scored = combine(found)
    killed, total = sum(scored.values()), len(scored)
    with open(file, "w", encoding="utf-8", newline="\n") as f:
        f.write("# The mutation results of ./ndk pit over the whole scope (steps/MUTATION.md), written by\n"
                "# steps/pit-score.py --write; ./ndk pit --check compares its digest with the inputs checked out.\n")
        f.write(f"# inputs-sha256: {digest()}\n")
        f.write(f"# commit: {commit()}\n")
        f.write(f"# scope: {scope}\n")
        f.write(f"# took: {took} s\n")
        f.write(f"# score when written: {killed}/{total}\n")
        f.write("mutant\t" + "\t".join(p for p, _ in found) + "\n")
        for k in keys:
            f.write(k + "\t" + "\t".join(ms[k][1] if k in ms else "-" for _, ms in found) + "\n")
    print(f"pit-score: {len(keys)} mutants written to {os.path.relpath(file, ROOT)}")
    return 0


def check(file):
    if not os.path.isfile(file):
        print(f"committed PIT results: none ({os.path.relpath(file, ROOT)} missing)")
        return 0
    header, found = read_results(file)
    _, scored = combine(found)
    killed, total = sum(scored.values()), len(scored)
    state = "current" if header.get("inputs-sha256") == digest() else \
        "stale (the simulated provider, SPI, features, steps or PIT set-up changed since)"
    print(f"committed PIT results ({os.path.relpath(file, ROOT)}): score {100 * killed // total if total else 0}%"
          f" ({killed}/{total} non-equivalent mutants killed), {state}")
    print(f"  scope: {header.get('scope', '?')}; took {header.get('took', '?')}; measured at {header.get('commit', '?')}")
    return 0


def main():
    args = sys.argv[1:]
    if args[:1] == ["--digest"]:
        print(digest())
        return 0
    if args[:1] == ["--check"]:
        return check(args[1])
    reports = args[0]
    if "--write" in args:
        i = args.index("--write")
        scope = args[args.index("--scope") + 1] if "--scope" in args else "?"
        took = args[args.index("--took") + 1] if "--took" in args else "?"
        return write(reports, args[i + 1], scope, took)
    found = runs(reports)
    if not found:
        return 0
    combined, scored = combine(found)
    killed, total = sum(scored.values()), len(scored)
    if "--score" in args[1:]:
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
