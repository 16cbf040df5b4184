#!/usr/bin/env python3
"""Score a provenance checkout against hand-written ground truth for real dataset repositories.

    python bench/realworld.py --repos DIR [--out DIR] [--only ID,ID] [--no-scan] [--jobs N]
                              [--scancode PATH] [--report score.json]
    python bench/realworld.py --clone-commands        # how to build DIR: one git command per tree

The truth is bench/data/realworld_truth.yaml (28 public repositories and a copy of a Python
environment's site-packages, each with owner/name and commit). The trees themselves are never in
git: clone them (without Git LFS content: pointers are one of the shapes scored) into --repos as
<owner>+<name>, and copy a site-packages into --repos/site-packages. Not run in CI.

Run it with the Python of the checkout under test (its venv, or PYTHONPATH=/path/to/checkout).
Only the public API is used: `provenance.scan(root, output_dir=..., cache=False)` in a child
process per repository (a crash, a hang or a hard exit cannot take the harness down), then
`assets.parquet` is read with pyarrow (columns path, license, use_class, findings_json).

Truth format: see the header of truth.yaml. Per repository the table shows
  data      data files scored (files present in the tree that the truth's data globs match)
  lic       data files whose license is equivalent to the truth (license_expression
            parse(validate=False).simplify() equality, else string equality; also_accept counts)
  use       data files whose use class is the truth's (or an also-ok class)
  false_err error-severity findings on any asset that the truth neither expects nor accepts
  missed    expected error findings absent from a scored data file (missed restrictions)
  not_exp   findings the truth lists as must-not (e.g. personal-info on maths; `severity:` narrows)
  crash     the scan raised, died, or wrote no assets.parquet
  exit      the scan's exit code (0 pass, 1 policy failed, 3 incomplete/internal)
  s         wall seconds of provenance.scan (reports on, cache off)
  code      code files (the truth's code globs, minus data files) whose license is right (secondary)
  sc_s      wall seconds of ScanCode (-l -n JOBS, license detection only) on the same tree, with --scancode
            (or --scancode-only to add the timing to results already in --out)
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
NONE_VALUES = {None, "", "NONE", "NOASSERTION"}
#: Findings that depend on the license reading; "unscored" files excuse only these.
LICENSE_RULES = {"unlicensed", "use-restricted", "license-conflict", "rights-reserved", "unknown-license",
                 "license-denied", "license-not-allowed"}


# ----------------------------------------------------------------------------- child: one scan
def scan_one(root: str, out: str, jobs: int) -> None:
    """Runs in a child process: one provenance.scan, a JSON line on stdout."""
    import provenance

    started = time.perf_counter()
    try:
        result = provenance.scan(root, output_dir=out, cache=False, jobs=jobs)
        info = {"exit_code": result.exit_code, "passed": result.passed, "error": None}
    except Exception as exc:  # a crash of the scanner is a result here
        import traceback

        info = {"exit_code": None, "passed": None,
                "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()[-4000:]}
    info["seconds"] = round(time.perf_counter() - started, 2)
    print("REALWORLD-RESULT " + json.dumps(info), flush=True)


def run_scan(root: Path, out: Path, jobs: int, timeout: int) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("assets.parquet", "scan.json"):
        (out / stale).unlink(missing_ok=True)
    started = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--scan-one", str(root), str(out),
                               "--jobs", str(jobs)], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"exit_code": None, "error": f"timeout after {timeout}s", "seconds": timeout, "crash": True}
    wall = round(time.perf_counter() - started, 2)
    (out / "realworld.stderr.txt").write_text(proc.stderr[-200000:])
    info: dict[str, Any] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("REALWORLD-RESULT "):
            info = json.loads(line.split(" ", 1)[1])
    if not info:
        info = {"exit_code": None, "error": f"child exited {proc.returncode} without a result",
                "seconds": wall, "stderr_tail": proc.stderr[-2000:]}
    info["wall_seconds"] = wall
    info["crash"] = bool(info.get("error")) or not (out / "assets.parquet").exists()
    return info


def run_scancode(scancode: str, root: Path, out: Path, jobs: int, timeout: int) -> dict[str, Any]:
    target = out / "scancode.json"
    started = time.perf_counter()
    # Its own session, so a timeout ends ScanCode's worker processes too (by this group's id only).
    proc = subprocess.Popen([scancode, "-l", "-n", str(jobs or os.cpu_count() or 1), "--quiet", "--json", str(target),
                             str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        code: int | None = proc.wait(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait()
        code, timed_out = None, True
    return {"seconds": round(time.perf_counter() - started, 2), "exit_code": code, "timed_out": timed_out}


# ----------------------------------------------------------------------------- licenses
_licensing = None


def _parse(expr: str):
    global _licensing
    from license_expression import get_spdx_licensing

    if _licensing is None:
        _licensing = get_spdx_licensing()
    return _licensing.parse(expr, validate=False, simple=False)


def same_license(got: str | None, want: str) -> bool:
    if want == "NONE":
        return got in NONE_VALUES
    if got in NONE_VALUES:
        return False
    if got == want:
        return True
    try:
        return _parse(got).simplify() == _parse(want).simplify()
    except Exception:
        return str(got).strip().lower() == want.strip().lower()


def license_ids(expr: str | None) -> set[str]:
    if expr in NONE_VALUES:
        return set()
    try:
        return {s.key for s in _parse(expr).symbols}
    except Exception:
        return {p for p in str(expr).replace("(", " ").replace(")", " ").split() if p not in ("AND", "OR", "WITH")}


def license_ok(got: str | None, group: dict[str, Any]) -> bool:
    if "license_contains" in group:
        ids = {i.lower() for i in license_ids(got)}
        return all(need.lower() in ids for need in group["license_contains"])
    wants = [group["license"], *group.get("also_accept", [])]
    return any(same_license(got, w) for w in wants)


# ----------------------------------------------------------------------------- scoring
def match(path: str, patterns: Any) -> bool:
    if isinstance(patterns, str):
        patterns = [patterns]
    return any(fnmatch.fnmatchcase(path, p) for p in patterns)


def data_groups(entry: dict[str, Any]) -> list[dict[str, Any]]:
    data = entry.get("data") or []
    return [data] if isinstance(data, dict) else list(data)


def load_assets(out: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    cols = ["path", "license", "use_class", "findings", "findings_json"]
    table = pq.read_table(out / "assets.parquet")
    cols = [c for c in cols if c in table.column_names]
    rows = table.select(cols).to_pylist()
    for row in rows:
        try:
            row["_findings"] = json.loads(row.get("findings_json") or "[]")
        except ValueError:
            row["_findings"] = [{"rule": r, "severity": "?"} for r in row.get("findings") or []]
    return rows


def score(entry: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    by_path = {r["path"]: r for r in rows}
    groups = data_groups(entry)
    unscored = [u["files"] for u in entry.get("unscored", [])]
    expected = entry.get("expected_errors", [])
    acceptable = entry.get("acceptable_errors", [])
    res: dict[str, Any] = {"data": 0, "license_right": 0, "use_right": 0, "wrong": [], "use_wrong": [],
                           "false_errors": [], "missed": [], "not_expected_hits": [], "unmatched_globs": [],
                           "errors_on_unscored": 0}
    scored: dict[str, dict[str, Any]] = {}
    members: dict[str, list[str]] = {}
    for q in by_path:
        if "!" in q:
            members.setdefault(q.split("!", 1)[0], []).append(q)
    for g in groups:
        hit = [p for p in by_path if match(p, g["files"]) and not match(p, g.get("exclude", [])) and "!" not in p]
        if not hit:
            res["unmatched_globs"].append(g["files"])
        for p in hit:
            if p in scored:
                continue
            scored[p] = g
            row = by_path[p]
            res["data"] += 1
            if license_ok(row["license"], g):
                res["license_right"] += 1
            else:
                want = g.get("license") or "contains " + "+".join(g.get("license_contains", []))
                res["wrong"].append({"path": p, "got": row["license"], "want": want})
            uses = [g.get("use_class"), *g.get("use_class_also_ok", [])]
            if g.get("use_class") is None or row.get("use_class") in uses:
                res["use_right"] += 1
            else:
                res["use_wrong"].append({"path": p, "got": row.get("use_class"), "want": g.get("use_class")})
    code = entry.get("code")
    res["code"], res["code_right"], res["code_wrong"] = 0, 0, []
    if code and code.get("license"):
        for p, row in by_path.items():
            if "!" in p or p in scored or not match(p, code["files"]) or match(p, code.get("exclude", [])):
                continue
            res["code"] += 1
            if license_ok(row["license"], code):
                res["code_right"] += 1
            else:
                res["code_wrong"].append({"path": p, "got": row["license"], "want": code["license"]})
    for row in rows:
        p = row["path"]
        for f in row["_findings"]:
            if f.get("severity") != "error":
                continue
            rule = f.get("rule")
            if any(rule == e["rule"] and match(p, e["files"]) for e in [*expected, *acceptable]):
                continue
            if rule in LICENSE_RULES and match(p, unscored) and p not in scored:
                res["errors_on_unscored"] += 1  # the license of these files is left open by the truth
                continue
            res["false_errors"].append({"path": p, "rule": rule, "message": str(f.get("message", ""))[:200]})
    for p in scored:
        # An archive's own row or its members' rows ("x.zip!member") may carry the finding.
        errs = {f.get("rule") for q in [p, *members.get(p, [])] for f in by_path[q]["_findings"]
                if f.get("severity") == "error"}
        for e in expected:
            if match(p, e["files"]) and e["rule"] not in errs:
                res["missed"].append({"path": p, "rule": e["rule"]})
    for ne in entry.get("not_expected", []):
        for row in rows:
            if not match(row["path"], ne["files"]) or match(row["path"], ne.get("except", [])):
                continue
            sev = [f.get("severity") for f in row["_findings"] if f.get("rule") == ne["rule"]
                   and ne.get("severity") in (None, f.get("severity"))]
            if sev:
                res["not_expected_hits"].append({"path": row["path"], "rule": ne["rule"], "severity": sev[0]})
    return res


# ----------------------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--truth", default=str(HERE / "data" / "realworld_truth.yaml"))
    ap.add_argument("--repos", default=os.environ.get("PROVENANCE_REALWORLD_REPOS", str(HERE / "out" / "repos")))
    ap.add_argument("--out", default=str(HERE / "out" / "realworld"))
    ap.add_argument("--clone-commands", action="store_true", help="print the commands that build --repos")
    ap.add_argument("--only", default="", help="comma-separated ids")
    ap.add_argument("--no-scan", action="store_true", help="score the outputs already in --out")
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--timeout", type=int, default=3600)
    ap.add_argument("--scancode", default="", help="path to a scancode executable for the time column")
    ap.add_argument("--scancode-only", default="", metavar="PATH",
                    help="only (re)time ScanCode on each tree and keep the provenance results already in --out")
    ap.add_argument("--report", default="", help="write per-repo details (wrong files, false errors) as JSON")
    ap.add_argument("--scan-one", nargs=2, metavar=("ROOT", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.scan_one:
        scan_one(args.scan_one[0], args.scan_one[1], args.jobs)
        return 0

    import yaml

    truth = yaml.safe_load(Path(args.truth).read_text(encoding="utf-8"))
    if args.clone_commands:
        for entry in truth:
            if entry.get("repo"):
                dest = Path(args.repos) / entry["id"]
                print(f"GIT_LFS_SKIP_SMUDGE=1 git clone -q https://github.com/{entry['repo']} {dest} && "
                      f"git -C {dest} checkout -q {entry['commit']}")
        return 0
    only = {s for s in args.only.split(",") if s}
    results = []
    header = (f"{'repo':44} {'data':>5} {'lic':>9} {'use':>9} {'false_err':>9} {'missed':>6} {'not_exp':>7} "
              f"{'crash':>5} {'exit':>4} {'s':>7} {'sc_s':>7} {'code':>9}")
    print(header)
    print("-" * len(header))
    env_totals: dict[str, int] = {}
    totals = {"code": 0, "code_right": 0, "data": 0, "license_right": 0, "use_right": 0, "false_errors": 0,
              "missed": 0, "not_expected": 0, "crashes": 0, "repos": 0, "repos_all_right": 0}
    for entry in truth:
        if only and entry["id"] not in only:
            continue
        root = Path(args.repos) / entry["id"]
        out = Path(args.out) / entry["id"]
        if not root.is_dir():
            print(f"{entry['id']:44} missing tree {root}")
            continue
        run: dict[str, Any] = {}
        if args.scancode_only:
            run = json.loads((out / "realworld.run.json").read_text()) if (out / "realworld.run.json").exists() else {}
            run["scancode"] = run_scancode(args.scancode_only, root, out, args.jobs, args.timeout)
            (out / "realworld.run.json").write_text(json.dumps(run, indent=1))
        elif not args.no_scan:
            run = run_scan(root, out, args.jobs, args.timeout)
            if args.scancode:
                run["scancode"] = run_scancode(args.scancode, root, out, args.jobs, args.timeout)
            (out / "realworld.run.json").write_text(json.dumps(run, indent=1))
        elif (out / "realworld.run.json").exists():
            run = json.loads((out / "realworld.run.json").read_text())
        if not (out / "assets.parquet").exists():
            run["crash"] = True
            res = {"data": 0, "license_right": 0, "use_right": 0, "wrong": [], "use_wrong": [], "false_errors": [],
                   "missed": [], "not_expected_hits": [], "unmatched_globs": [], "code": 0, "code_right": 0}
        else:
            res = score(entry, load_assets(out))
        res["run"] = run
        res["id"] = entry["id"]
        results.append(res)
        sc_run = run.get("scancode", {})
        sc = (f">{sc_run['seconds']:.0f}" if sc_run.get("timed_out") else sc_run.get("seconds")) if sc_run else None
        print(f"{entry['id']:44} {res['data']:>5} {res['license_right']:>4}/{res['data']:<4} "
              f"{res['use_right']:>4}/{res['data']:<4} {len(res['false_errors']):>9} {len(res['missed']):>6} "
              f"{len(res['not_expected_hits']):>7} {('YES' if run.get('crash') else 'no'):>5} "
              f"{run.get('exit_code', '')!s:>4} {run.get('seconds', ''):>7} {sc if sc is not None else '':>7} "
              f"{(str(res.get('code_right', 0)) + '/' + str(res.get('code', 0))) if res.get('code') else '-':>9}",
              flush=True)
        if entry.get("kind") == "environment":
            env_totals = {"data": res["data"], "license_right": res["license_right"],
                          "false_errors": len(res["false_errors"]), "not_expected": len(res["not_expected_hits"]),
                          "crash": int(bool(run.get("crash")))}
            continue
        totals["repos"] += 1
        totals["data"] += res["data"]
        totals["code"] += res.get("code", 0)
        totals["code_right"] += res.get("code_right", 0)
        totals["license_right"] += res["license_right"]
        totals["use_right"] += res["use_right"]
        totals["false_errors"] += len(res["false_errors"])
        totals["missed"] += len(res["missed"])
        totals["not_expected"] += len(res["not_expected_hits"])
        totals["crashes"] += 1 if run.get("crash") else 0
        totals["repos_all_right"] += 1 if res["data"] and res["license_right"] == res["data"] else 0
    print("-" * len(header))
    print(f"{'TOTAL':44} {totals['data']:>5} {totals['license_right']:>4}/{totals['data']:<4} "
          f"{totals['use_right']:>4}/{totals['data']:<4} {totals['false_errors']:>9} {totals['missed']:>6} "
          f"{totals['not_expected']:>7} {totals['crashes']:>5} {'':>4} {'':>7} {'':>7} "
          f"{str(totals['code_right']) + '/' + str(totals['code']):>9}")
    print(f"repositories with every data license right: {totals['repos_all_right']}/{totals['repos']}"
          " (environment entries are not in TOTAL)")
    if env_totals:
        print(f"environment: {env_totals['license_right']}/{env_totals['data']} listed package files right, "
              f"{env_totals['false_errors']} false errors, {env_totals['not_expected']} not-expected findings, "
              f"crash {'YES' if env_totals['crash'] else 'no'}")
    if args.report:
        Path(args.report).write_text(json.dumps({"totals": totals, "environment": env_totals, "repos": results},
                                                indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
