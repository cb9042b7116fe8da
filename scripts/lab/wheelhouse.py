#!/usr/bin/env python3
"""The lab's wheelhouse: real wheels from PyPI for the lab VMs (Debian 12: CPython 3.11, x86_64 glibc 2.36).

    python3 scripts/lab/wheelhouse.py --state DIR --versions src/config/mlflow-version.ts --link LINK

Downloads (once; the cache is keyed on the requirement sets and the target platform) every wheel a VM needs to
`pip install` each requirement set below, with all dependencies, into DIR/wheelhouse/<key>/wheels, writes a PEP 503
index next to them (DIR/wheelhouse/<key>/simple) and points LINK (a symlink inside the served pip index directory)
at it. A filled cache needs no network. pip's own progress lines are streamed to stderr.
"""

import argparse
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

PYTHON_VERSION = "3.11"  # Debian 12's python3 (3.11.2)
ABI = "cp311"
# Debian 12 has glibc 2.36: every manylinux tag up to 2_36 installs there.
PLATFORMS = [f"manylinux_2_{m}_x86_64" for m in range(36, 16, -1)] + [
    "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]
# What provision installs beside MLflow (psycopg2-binary always, the Azure packages for wasbs:// artifacts), pip
# and friends for `pip install --upgrade pip`, and uv, the faster installer provision tries first.
EXTRA = ["psycopg2-binary", "azure-storage-blob", "azure-identity", "pip", "setuptools", "wheel", "uv"]


def read_versions(path):
    """DEFAULT_MLFLOW_VERSION and UPGRADE_TESTED_FROM from the CLI's TypeScript pin (the one place they live)."""
    text = path.read_text()
    found = {}
    for name in ("DEFAULT_MLFLOW_VERSION", "UPGRADE_TESTED_FROM"):
        m = re.search(rf"export const {name} = '([0-9]+\.[0-9]+\.[0-9]+)';", text)
        if not m:
            raise SystemExit(f"{path}: no line `export const {name} = 'X.Y.Z';`")
        found[name] = m.group(1)
    return found


def requirement_sets(versions):
    return [[f"mlflow[auth]=={v}", *EXTRA] for v in (versions["DEFAULT_MLFLOW_VERSION"], versions["UPGRADE_TESTED_FROM"])]


def cache_key(sets):
    blob = json.dumps({"sets": sets, "py": PYTHON_VERSION, "abi": ABI, "platforms": PLATFORMS, "v": 1}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def say(msg):
    print(f"lab: wheelhouse: {msg}", file=sys.stderr, flush=True)


def download(sets, wheels):
    wheels.mkdir(parents=True, exist_ok=True)
    for reqs in sets:
        say(f"pip download {' '.join(reqs)} (CPython {PYTHON_VERSION}, manylinux x86_64)")
        cmd = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--progress-bar", "off",
               "--only-binary=:all:", "--python-version", PYTHON_VERSION, "--implementation", "cp", "--abi", ABI,
               *[a for p in PLATFORMS for a in ("--platform", p)], "--dest", str(wheels), *reqs]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout:
            line = line.rstrip()
            # "Collecting x", "Downloading x (12.3 MB)", "File was already downloaded ..."
            if line.strip():
                print(f"lab: wheelhouse:   {line.strip()}", file=sys.stderr, flush=True)
        if proc.wait(timeout=3600) != 0:
            raise SystemExit(f"pip download failed ({proc.returncode}) for {' '.join(reqs)}")


def seed(base, wheels):
    """Hard-links the wheels of earlier caches (another pin) into a new one: pip then downloads only what is new."""
    wheels.mkdir(parents=True, exist_ok=True)
    for old in base.glob("*/wheels/*.whl"):
        target = wheels / old.name
        if not target.exists():
            try:
                os.link(old, target)
            except OSError:
                shutil.copy2(old, target)


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def requires_python(path):
    with zipfile.ZipFile(path) as z:
        meta = next((n for n in z.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1), None)
        if not meta:
            return None
        for line in z.read(meta).decode("utf-8", "replace").splitlines():
            if not line:
                break
            if line.lower().startswith("requires-python:"):
                return line.split(":", 1)[1].strip()
    return None


def write_index(root):
    wheels = root / "wheels"
    by_name = {}
    for whl in sorted(wheels.glob("*.whl")):
        by_name.setdefault(normalize(whl.name.split("-")[0]), []).append(whl)
    simple = root / "simple.new"
    shutil.rmtree(simple, ignore_errors=True)
    simple.mkdir()
    top = ['<!DOCTYPE html><html><body>']
    for name, files in sorted(by_name.items()):
        top.append(f'<a href="{name}/">{name}</a><br>')
        lines = ['<!DOCTYPE html><html><body>']
        for f in files:
            sha = hashlib.sha256(f.read_bytes()).hexdigest()
            rp = requires_python(f)
            attr = f' data-requires-python="{html.escape(rp)}"' if rp else ""
            lines.append(f'<a href="../../wheels/{f.name}#sha256={sha}"{attr}>{f.name}</a><br>')
        lines.append("</body></html>")
        (simple / name).mkdir()
        (simple / name / "index.html").write_text("\n".join(lines) + "\n")
    top.append("</body></html>")
    (simple / "index.html").write_text("\n".join(top) + "\n")
    shutil.rmtree(root / "simple", ignore_errors=True)
    simple.rename(root / "simple")
    return len(by_name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--state", required=True, type=Path)
    ap.add_argument("--versions", required=True, type=Path)
    ap.add_argument("--link", required=True, type=Path)
    ap.add_argument("--print-key", action="store_true")
    a = ap.parse_args()
    sets = requirement_sets(read_versions(a.versions))
    key = cache_key(sets)
    if a.print_key:
        print(key)
        return
    base = a.state / "wheelhouse"
    root = base / key
    if not (root / "complete").is_file():
        # A partial download (interrupted) is kept in <key>.partial: pip skips the files already there.
        partial = base / f"{key}.partial"
        say(f"filling the cache {root} (once per machine; hundreds of MB the first time)")
        t0 = time.monotonic()
        seed(base, partial / "wheels")
        download(sets, partial / "wheels")
        (partial / "requirements.json").write_text(json.dumps(sets, indent=1) + "\n")
        write_index(partial)
        files = list((partial / "wheels").glob("*.whl"))
        size = sum(f.stat().st_size for f in files)
        (partial / "complete").write_text(f"{len(files)} wheels, {size} bytes, {time.monotonic() - t0:.0f} s\n")
        partial.rename(root)
        # Older pins' caches: their wheels are hard-linked into this one where still needed.
        for other in base.iterdir():
            if other.is_dir() and other.name != root.name:
                shutil.rmtree(other, ignore_errors=True)
        say(f"{len(files)} wheels, {size / 1e6:.0f} MB in {time.monotonic() - t0:.0f} s")
    for d, _, fs in os.walk(root):
        os.chmod(d, 0o755)
        for f in fs:
            os.chmod(os.path.join(d, f), 0o644)
    os.chmod(base, 0o755)
    # Point the served index at it (replace the link atomically).
    tmp = a.link.with_name(a.link.name + ".new")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(root)
    os.replace(tmp, a.link)


if __name__ == "__main__":
    main()
