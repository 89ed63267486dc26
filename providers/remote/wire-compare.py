#!/usr/bin/env python3
"""wire-compare.py [--except REASON] IN_PROCESS_SUMMARY WIRE_SUMMARY LABEL

Compares two runs of the spec scenario by scenario: the provider in-process, and the same provider
behind an ndk-agent through the `remote` provider. Prints one line with both counts, then every
scenario whose verdict differs. With --except REASON, a scenario the in-process run found
unsupported for that reason code is not compared (the one-VM lab has no link to disturb, the
two-host lab has: no-link-control). Exit status 0 when every compared scenario has the same
verdict, 1 when one differs or a summary is missing.
"""
import json
import sys


def verdicts(path):
    s = json.load(open(path))
    return s, {sc["id"]: sc["verdict"] for sc in s["scenarios"]}


def main():
    args = sys.argv[1:]
    reason = None
    if args[:1] == ["--except"] and len(args) > 1:
        reason, args = args[1], args[2:]
    if len(args) != 3:
        sys.exit(__doc__)
    in_file, wire_file, label = args
    try:
        a_sum, a = verdicts(in_file)
    except OSError:
        print(f"wire-compare: {label}: no in-process run to compare with ({in_file})")
        return 1
    try:
        b_sum, b = verdicts(wire_file)
    except OSError:
        print(f"wire-compare: {label}: the run through the wire wrote no summary ({wire_file})")
        return 1
    excepted = set()
    if reason:
        excepted = {sc["id"] for sc in a_sum["scenarios"]
                    if sc["verdict"] == "unsupported" and sc.get("reasonCode") == reason}
    diff = sorted(k for k in set(a) | set(b) if k not in excepted and a.get(k) != b.get(k))
    if excepted:
        print(f"wire-compare: {label}: {len(excepted)} scenario(s) unsupported in-process for {reason} not compared")
    print(f"wire-compare: {label}: in-process {a_sum['counts']}, through the wire {b_sum['counts']}: "
          + ("same verdict for every scenario" if not diff else f"{len(diff)} scenario(s) differ"))
    for k in diff:
        print(f"  {k}: in-process {a.get(k)}, through the wire {b.get(k)}")
    return 1 if diff or not b else 0


if __name__ == "__main__":
    sys.exit(main())
