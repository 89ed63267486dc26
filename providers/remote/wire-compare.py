#!/usr/bin/env python3
"""wire-compare.py IN_PROCESS_SUMMARY WIRE_SUMMARY LABEL

Compares two runs of the spec scenario by scenario: the provider in-process, and the same provider
behind an ndk-agent through the `remote` provider. Prints one line with both counts, then every
scenario whose verdict differs. Exit status 0 when every scenario has the same verdict, 1 when one
differs or a summary is missing.
"""
import json
import sys


def verdicts(path):
    s = json.load(open(path))
    return s, {sc["id"]: sc["verdict"] for sc in s["scenarios"]}


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    in_file, wire_file, label = sys.argv[1:]
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
    diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    print(f"wire-compare: {label}: in-process {a_sum['counts']}, through the wire {b_sum['counts']}: "
          + ("same verdict for every scenario" if not diff else f"{len(diff)} scenario(s) differ"))
    for k in diff:
        print(f"  {k}: in-process {a.get(k)}, through the wire {b.get(k)}")
    return 1 if diff or not b else 0


if __name__ == "__main__":
    sys.exit(main())
