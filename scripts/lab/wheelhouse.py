#!/usr/bin/env python3
"""The lab's wheelhouse: real wheels from PyPI for the lab VMs, one set per image:
Debian 12 (CPython 3.11, x86_64 glibc 2.36) and Debian 13 (CPython 3.13, x86_64 glibc 2.41).

    python3 scripts/lab/wheelhouse.py --state DIR --versions src/config/mlflow-version.ts --link LINK

For each image, downloads (once; each cache is keyed on the requirement sets and that image's platform) every
wheel a VM needs to `pip install` each requirement set below, with all dependencies, into
DIR/wheelhouse/<key>/wheels, and writes a PEP 503 index next to them (DIR/wheelhouse/<key>/simple). LINK (the
served pip index directory) points at Debian 12's cache: /simple and /wheels are Debian 12's (the URL Debian 12
VMs have always used); its link debian13 -> ../<key13> serves /debian13/simple and /debian13/wheels.
A filled cache needs no network. pip's own progress lines are streamed to stderr.
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



def manylinux(glibc_minor):
    """Every manylinux x86_64 tag that installs on a glibc 2.<glibc_minor>."""
    return [f"manylinux_2_{m}_x86_64" for m in range(glibc_minor, 16, -1)] + [
        "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]


# The images' python3 and glibc. The first is served at /simple (its cache key is what it was before Debian 13).
TARGETS = {
    "debian12": {"py": "3.11", "abi": "cp311", "platforms": manylinux(36)},  # CPython 3.11.2, glibc 2.36
    "debian13": {"py": "3.13", "abi": "cp313", "platforms": manylinux(41)},  # CPython 3.13.5, glibc 2.41
}
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


def cache_key(sets, target):
    t = TARGETS[target]
    blob = json.dumps({"sets": sets, "py": t["py"], "abi": t["abi"], "platforms": t["platforms"], "v": 1}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def say(msg):
    print(f"lab: wheelhouse: {msg}", file=sys.stderr, flush=True)


def download(sets, wheels, target):
    t = TARGETS[target]
    wheels.mkdir(parents=True, exist_ok=True)
    for reqs in sets:
        say(f"pip download {' '.join(reqs)} ({target}: CPython {t['py']}, manylinux x86_64)")
        cmd = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--progress-bar", "off",
               "--only-binary=:all:", "--python-version", t["py"], "--implementation", "cp", "--abi", t["abi"],
               *[a for p in t["platforms"] for a in ("--platform", p)], "--dest", str(wheels), *reqs]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout:
            line = line.rstrip()
            # "Collecting x", "Downloading x (12.3 MB)", "File was already downloaded ..."
            if line.strip():
                print(f"lab: wheelhouse:   {line.strip()}", file=sys.stderr, flush=True)
        if proc.wait(timeout=3600) != 0:
            raise SystemExit(f"pip download failed ({proc.returncode}) for {' '.join(reqs)}")


def cache_target(cache):
    """The image a cache was filled for (caches from before Debian 13 have no record: Debian 12's)."""
    f = cache / "target"
    return f.read_text().strip() if f.is_file() else "debian12"


def seed(base, wheels, target):
    """Hard-links the wheels of earlier caches (another pin) into a new one: pip then downloads only what is new.
    From another image's caches only the pure-Python wheels (*-none-any) are taken."""
    wheels.mkdir(parents=True, exist_ok=True)
    for old in base.glob("*/wheels/*.whl"):
        cache = old.parent.parent
        if cache.is_symlink():
            continue
        if cache_target(cache) != target and not old.name.endswith("-none-any.whl"):
            continue
        dest = wheels / old.name
        if not dest.exists():
            try:
                os.link(old, dest)
            except OSError:
                shutil.copy2(old, dest)


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


def fill(base, sets, target):
    """The cache of one image, filled if it is not yet; returns its directory."""
    key = cache_key(sets, target)
    root = base / key
    if (root / "complete").is_file():
        return root
    # A partial download (interrupted) is kept in <key>.partial: pip skips the files already there.
    partial = base / f"{key}.partial"
    say(f"filling the cache {root} for {target} (once per machine; hundreds of MB the first time)")
    t0 = time.monotonic()
    seed(base, partial / "wheels", target)
    download(sets, partial / "wheels", target)
    (partial / "requirements.json").write_text(json.dumps(sets, indent=1) + "\n")
    (partial / "target").write_text(target + "\n")
    write_index(partial)
    files = list((partial / "wheels").glob("*.whl"))
    size = sum(f.stat().st_size for f in files)
    (partial / "complete").write_text(f"{len(files)} wheels, {size} bytes, {time.monotonic() - t0:.0f} s\n")
    partial.rename(root)
    say(f"{target}: {len(files)} wheels, {size / 1e6:.0f} MB in {time.monotonic() - t0:.0f} s")
    return root


def relink(link, target):
    """Points the symlink LINK at TARGET, atomically."""
    tmp = link.with_name(link.name + ".new")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(target)
    os.replace(tmp, link)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--state", required=True, type=Path)
    ap.add_argument("--versions", required=True, type=Path)
    ap.add_argument("--link", required=True, type=Path)
    ap.add_argument("--print-key", action="store_true", help="print each image's cache key")
    a = ap.parse_args()
    sets = requirement_sets(read_versions(a.versions))
    if a.print_key:
        for target in TARGETS:
            print(target, cache_key(sets, target))
        return
    base = a.state / "wheelhouse"
    base.mkdir(parents=True, exist_ok=True)
    roots = {target: fill(base, sets, target) for target in TARGETS}
    first, *others = TARGETS
    # The served directory is the first image's cache (its index at /simple, as before Debian 13); each other
    # image's cache is linked inside it as /<image> (/debian13/simple).
    served = roots[first]
    for target in others:
        relink(served / target, Path("..") / roots[target].name)
    # Caches of older pins (their wheels were hard-linked into the new ones where still needed).
    keep = {r.name for r in roots.values()}
    for other in base.iterdir():
        if other.name not in keep:
            if other.is_symlink() or other.is_file():
                other.unlink()
            else:
                shutil.rmtree(other, ignore_errors=True)
    for d, _, fs in os.walk(base):
        os.chmod(d, 0o755)
        for f in fs:
            p = os.path.join(d, f)
            if not os.path.islink(p):
                os.chmod(p, 0o644)
    relink(a.link, served)


if __name__ == "__main__":
    main()
