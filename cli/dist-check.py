#!/usr/bin/env python3
"""cli/dist-check.py [ZIP]: the CLI as a vendor on another OS would use it.

Unzips the runnable artifact (cli/target/ndk-cli-*-dist.zip) into a temporary folder outside the
repository and runs it there with `java -jar`, from Python without any shell, with a PATH that
holds only the JDK's bin: `list providers`, `run --provider simulated` (the whole spec, the Allure
report, the bundle), and `verify` of that bundle. Checks the exit codes and the outputs, prints the
figures, exits 1 naming any deviation.
"""
import glob, json, os, shutil, subprocess, sys, tempfile, time, zipfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
zips = sys.argv[1:] or sorted(glob.glob(os.path.join(root, "cli", "target", "ndk-cli-*-dist.zip")))
if not zips:
    sys.exit("dist-check: no cli/target/ndk-cli-*-dist.zip: build the cli module first (mvn package)")
java_home = os.environ.get("JAVA_HOME") or os.path.dirname(os.path.dirname(os.path.realpath(shutil.which("java"))))
java = os.path.join(java_home, "bin", "java")
problems = []
tmp = tempfile.mkdtemp(prefix="ndk-cli-dist-")
try:
    with zipfile.ZipFile(zips[0]) as z:
        z.extractall(tmp)
    jar = os.path.join(tmp, "ndk-cli", "ndk-cli.jar")
    env = {"PATH": os.path.join(java_home, "bin"), "HOME": tmp, "JAVA_HOME": java_home, "CI": "true"}

    def cli(*args, timeout=900):
        t = time.monotonic()
        p = subprocess.run([java, "-jar", jar, *args], cwd=tmp, env=env, capture_output=True, text=True, timeout=timeout)
        return p, time.monotonic() - t

    p, s = cli("list", "providers")
    print(f"dist-check: list providers: exit {p.returncode} in {s:.1f} s")
    if p.returncode != 0 or "simulated" not in p.stdout or "remote" not in p.stdout:
        problems.append(f"list providers: exit {p.returncode}, output {p.stdout[-300:]!r} {p.stderr[-300:]!r}")

    out = os.path.join(tmp, "run")
    p, s = cli("run", "--provider", "simulated", "--out", out)
    print(f"dist-check: run --provider simulated: exit {p.returncode} in {s:.1f} s")
    summary = os.path.join(out, "summary.json")
    if not os.path.exists(summary):
        problems.append(f"run wrote no summary.json (exit {p.returncode}): {p.stdout[-500:]} {p.stderr[-500:]}")
    else:
        sm = json.load(open(summary))
        c, v = sm["counts"], sm["verdict"]
        print(f"dist-check: {v['status']} (exit {v['exitCode']}), {c}")
        # the simulated provider has no link between its hosts: only the network-fault scenarios are unsupported
        others = [x["id"] for x in sm["scenarios"] if x["verdict"] != "passed" and x.get("reasonCode") != "no-link-control"]
        if others:
            problems.append(f"scenarios neither passed nor no-link-control: {others[:5]}")
        if p.returncode != v["exitCode"]:
            problems.append(f"exit {p.returncode} but summary.json says {v['exitCode']}")
        for f in ("allure-report/index.html", "junit", "bundle", "summary.md"):
            if not os.path.exists(os.path.join(out, f)):
                problems.append(f"{f} missing from the run's output")
        p, s = cli("verify", os.path.join(out, "bundle"))
        print(f"dist-check: verify: exit {p.returncode} in {s:.1f} s")
        if p.returncode != 0:
            problems.append(f"verify: exit {p.returncode}: {p.stdout[-800:]}")
finally:
    shutil.rmtree(tmp, ignore_errors=True)
for x in problems:
    print("dist-check: NOT as expected:", x, file=sys.stderr)
print("dist-check:", "as expected" if not problems else "NOT as expected")
sys.exit(1 if problems else 0)
