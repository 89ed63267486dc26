#!/usr/bin/env python3
"""providers/native/crossing-scenarios.py RUN_DIR... > CASE_LIST

The scenarios in which a connection request reached the peer's listener in any of the given
`ndk-cli run` output dirs (their cucumber*/messages.ndjson): the kit's trace of such a scenario
has a callback "connect event on <listener>", and listeners live on the peer (the support
machine). Printed as a case list for `ndk-cli run --scenarios`, one id a line.

A mixed pair (one provider on each machine) learns something only from these: in every other
scenario the support machine's provider is never asked anything but to listen, and the test
machine's provider alone answers, as it already did in its own two-host certification.
Exit status: 0, or 2 when no run dir holds a readable messages.ndjson.
"""
import glob
import json
import os
import sys

MARK = "connect event on "


def crossing(run_dir):
    """ids (file.feature:line) of the scenarios whose trace shows a connect event, or None."""
    files = sorted(glob.glob(os.path.join(run_dir, "cucumber*", "messages.ndjson"))
                   + glob.glob(os.path.join(run_dir, "raw", "cucumber*", "messages.ndjson")))
    if not files:
        return None
    ids = set()
    for path in files:
        pickles, cases, started, locations = {}, {}, {}, {}
        with open(path, errors="replace") as f:
            for line in f:
                m = json.loads(line)
                if "pickle" in m:
                    p = m["pickle"]
                    # a scenario's id is its feature file and line (an outline row: the row's line)
                    node_lines = p.get("astNodeIds") or []
                    pickles[p["id"]] = (os.path.basename(p["uri"]), node_lines)
                elif "gherkinDocument" in m:
                    index_locations(m["gherkinDocument"], locations)
                elif "testCase" in m:
                    cases[m["testCase"]["id"]] = m["testCase"]["pickleId"]
                elif "testCaseStarted" in m:
                    started[m["testCaseStarted"]["id"]] = m["testCaseStarted"]["testCaseId"]
                elif "attachment" in m:
                    a = m["attachment"]
                    if MARK in (a.get("body") or "") and a.get("testCaseStartedId") in started:
                        uri, nodes = pickles[cases[started[a["testCaseStartedId"]]]]
                        # the last AST node of a pickle is its outline row, if any, else the scenario
                        line_no = locations.get(nodes[-1]) if nodes else None
                        if line_no is not None:
                            ids.add(f"{uri}:{line_no}")
    return ids


def index_locations(doc, out):
    """AST node id -> line, for scenarios and outline example rows."""
    def walk(children):
        for c in children:
            if "rule" in c:
                walk(c["rule"].get("children") or [])
            sc = c.get("scenario")
            if sc:
                out[sc["id"]] = sc["location"]["line"]
                for ex in sc.get("examples") or []:
                    for row in ex.get("tableBody") or []:
                        out[row["id"]] = row["location"]["line"]
    walk((doc.get("feature") or {}).get("children") or [])


def main():
    if len(sys.argv) < 2:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    ids, read = set(), 0
    for d in sys.argv[1:]:
        found = crossing(d)
        if found is None:
            print(f"crossing-scenarios: no cucumber messages in {d}", file=sys.stderr)
            continue
        read += 1
        ids |= found
    if not read:
        return 2
    print("# scenarios in which a request reached the peer's listener, in: " + " ".join(sys.argv[1:]))
    for i in sorted(ids, key=lambda s: (s.split(":")[0], int(s.split(":")[1]))):
        print(i)
    return 0


if __name__ == "__main__":
    sys.exit(main())
