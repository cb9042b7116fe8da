#!/usr/bin/env bash
# The test files as `npm test` runs them (as root, through scripts/as-root.sh, after typecheck, bundle and lint);
# `npm run test:e2e` passes the end-to-end files only. Arguments: the test files to run (default: every unit and
# end-to-end file). Most of an end-to-end file's time is waiting (servers starting, drains, stall timeouts,
# reboots), and each file uses VMs of its own, so (docs/testing.md, "How the suite runs"):
#   1. ALONE: the files that act on the whole lab run first, one at a time, with nothing beside them;
#   2. two streams side by side take the PARALLEL units (one or more files run one after the other) from one
#      queue, longest first; the unit files are one unit;
#   3. a test file in none of the lists runs alone at the end (add it to a list).
# Each file's spec output is printed whole when the file ends. The end: the ten slowest tests of the whole
# suite and one line of counts (test/slowest-reporter.mjs), each file's time; the exit code is 1 if any file failed.
set -uo pipefail
cd "$(dirname "$0")/.."

TIMEOUT_MS=900000 # --test-timeout: one test's bound
STREAMS=2         # CI has 2 cores

# Files that act on the whole lab: `lab down` and `lab up` (lab.test.ts; lab-boot.test.ts), the lab's load
# balancer, whose drain timings rolling.test.ts measures (0 failed requests through it). And timing-sensitive ones,
# each of which failed side by side once (2026-12-06, load 7-10 on 2 cores) and passed alone: fleet-rules.test.ts
# (27 s: vm30's server, slow to start, hung up on the health check's first request), db-tls.test.ts (16 s: vm31's
# server logged "Uvicorn running", then /health was refused).
ALONE=(test/e2e/lab.test.ts test/e2e/lab-boot.test.ts test/e2e/fleet-rules.test.ts test/e2e/db-tls.test.ts test/e2e/rolling.test.ts)

# Units of the parallel phase, longest first: seconds in the CI run of 2026-12-06 (one file at a time, alone).
# Files that share a VM or a saved VM are one unit, in this order.
PARALLEL=(
  # 394 s: supervisor.test.ts saves vm41/vm43 for tls.test.ts; vm46 is tls's and gc's; vm1 tls's and package's
  "test/e2e/supervisor.test.ts test/e2e/tls.test.ts test/e2e/gc.test.ts test/e2e/package.test.ts"
  # 391 s: vm23 (azure-blob, status, prompt), vm24 (version, ssh-login, public-name), vm33 (version, apt-stall)
  "test/e2e/version.test.ts test/e2e/apt-stall.test.ts test/e2e/azure-blob.test.ts test/e2e/status.test.ts test/e2e/ssh-login.test.ts test/e2e/public-name.test.ts test/e2e/prompt.test.ts"
  test/e2e/lifecycle.test.ts  # 145 s: vm35, vm47
  test/e2e/rerun.test.ts      # 130 s: vm5, vm6
  test/e2e/batch.test.ts      # 110 s: vm9-11, vm26-28
  test/e2e/audit.test.ts      # 95 s: vm14
  test/e2e/provision.test.ts  # 75 s: vm4
  test/e2e/restore.test.ts    # 72 s: vm19
  test/e2e/auth.test.ts       # 70 s: vm25 (ALTER ROLE mlflow CREATEDB for 20 s: only its own test asks)
  test/e2e/faults.test.ts     # 70 s: vm12
  "test/unit/*.test.ts"       # 51 s: no lab
  test/e2e/secrets.test.ts    # 41 s: vm8
  test/e2e/blob.test.ts       # 35 s: vm21
  test/e2e/metrics.test.ts    # 34 s: vm22
  test/e2e/upgrade-rollback.test.ts # 33 s: vm20
  test/e2e/jump.test.ts       # 30 s: vm36, vm37
  test/e2e/host-keys.test.ts  # 18 s: vm7
  test/e2e/backup.test.ts     # 12 s: vm18
  test/e2e/hostile-cli.test.ts # 11 s: no VM
)

work=$(mktemp -d /tmp/prov-test.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The files asked for (default: all), as paths from the repository's root.
declare -A wanted=()
if (($#)); then
  for f in "$@"; do wanted[$(realpath --relative-to=. "$f")]=1; done
else
  for f in test/unit/*.test.ts test/e2e/*.test.ts; do wanted[$f]=1; done
fi
declare -A planned=()

# The files of a plan entry that were asked for (a unit's glob expanded) into `picked`, each marked as planned.
pick() { # ENTRY
  local f
  picked=()
  for f in $1; do
    [[ -n ${wanted[$f]:-} ]] || continue
    planned[$f]=1
    picked+=("$f")
  done
}

# One `node --test` over FILES; their spec output is printed whole (under a lock: the other stream prints too)
# when it ends. Writes ID.rec (records for the slowest list) and ID.rc ("exit-code seconds files").
run_files() { # ID LABEL FILE...
  local id=$1 label=$2 t0=$SECONDS rc what=$3
  shift 2
  (($# == 1)) || what="$(dirname "$1")/*.test.ts ($# files)"
  echo "▶ $label: $what"
  SLOWEST_TESTS_RECORD=1 node --import tsx --test --test-concurrency=1 --test-timeout=$TIMEOUT_MS \
    --test-reporter=spec --test-reporter-destination="$work/$id.log" \
    --test-reporter=./test/slowest-reporter.mjs --test-reporter-destination="$work/$id.rec" \
    "$@" >"$work/$id.out" 2>&1
  rc=$?
  echo "$rc $((SECONDS - t0)) $what" >"$work/$id.rc"
  {
    flock 8
    echo "── $label: $what ($((SECONDS - t0)) s, $( ((rc == 0)) && echo ok || echo "FAILED: exit $rc"))"
    cat "$work/$id.log" "$work/$id.out" 2>/dev/null
  } 8>"$work/print.lock"
}

# The next unit of the queue (its index), or false when none is left; both streams take from it.
next_unit() {
  local i
  i=$(flock "$work/queue" bash -c 'i=$(<"$1"); echo $((i + 1)) >"$1"; echo "$i"' _ "$work/queue")
  ((i < ${#units[@]})) && echo "$i"
}

stream() { # N
  local i busy=0 t0 files
  while i=$(next_unit); do
    t0=$SECONDS
    # shellcheck disable=SC2206 # a unit is a space-separated list
    files=(${units[i]})
    for f in "${files[@]}"; do
      [[ $f == test/unit/* ]] && { run_files "u$i" "stream $1" "${files[@]}"; break; }
      run_files "p$i-$(basename "$f" .test.ts)" "stream $1" "$f"
    done
    busy=$((busy + SECONDS - t0))
  done
  echo "stream $1 done: $busy s of files"
}

phase() { # NAME SECONDS-AT-START
  echo "== $1: $((SECONDS - $2)) s"
}

# 1. alone
t0=$SECONDS
n=0
for entry in "${ALONE[@]}"; do
  pick "$entry"
  for f in "${picked[@]}"; do run_files "a$((n++))" alone "$f"; done
done
phase "files alone (they act on the whole lab)" "$t0"

# 2. two streams
units=()
for entry in "${PARALLEL[@]}"; do
  pick "$entry"
  ((${#picked[@]})) && units+=("${picked[*]}")
done
echo 0 >"$work/queue"
t0=$SECONDS
for ((s = 1; s <= STREAMS; s++)); do stream "$s" & done
wait
phase "files in $STREAMS streams" "$t0"

# 3. files the plan does not know yet
t0=$SECONDS
for f in $(printf '%s\n' "${!wanted[@]}" | sort); do
  [[ -n ${planned[$f]:-} ]] && continue
  echo "note: $f is in no list of scripts/test.sh: it runs alone; add it to PARALLEL if it uses VMs of its own"
  run_files "z$((n++))" "alone, not in the plan" "$f"
done
phase "files in no list" "$t0"

shopt -s nullglob
runs=("$work"/*.rc)
((${#runs[@]})) || { echo "no test file to run"; exit 1; }
echo "== time per run (s), for the plan in scripts/test.sh:"
sort -k2,2nr "${runs[@]}" | awk '{ printf "  %5d  %s%s\n", $2, ($1 == 0 ? "" : "FAILED "), substr($0, index($0, $3)) }'
node test/slowest-reporter.mjs "$work"/*.rec
failed=$(awk '$1 != 0' "${runs[@]}" | wc -l)
if ((failed > 0)); then
  echo "failed: $failed run(s): $(awk '$1 != 0 { $1 = ""; $2 = ""; print }' "${runs[@]}" | tr -s ' \n' ' ')"
  exit 1
fi
