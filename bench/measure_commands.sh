#!/usr/bin/env bash
# Time the README's two commands on a fresh clone: `make test`, and `make run` until /healthz is 200.
# Usage: bash bench/measure_commands.sh   (needs port 8000 free)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill -- -$run_pid 2>/dev/null || true; rm -rf "$work"' EXIT
git clone -q "$repo" "$work/mentorwijs"
cd "$work/mentorwijs"

start=$(date +%s%N)
make test >"$work/test.log" 2>&1
test_seconds=$(( ($(date +%s%N) - start) / 1000000000 ))
echo "make test on a fresh clone (venv + install + suite): ${test_seconds}s"
tail -n 1 "$work/test.log"

rm -rf .venv var
start=$(date +%s%N)
set -m
make run >"$work/run.log" 2>&1 &
run_pid=$!
set +m
for _ in $(seq 600); do
  if curl -fs -o /dev/null http://127.0.0.1:8000/healthz; then break; fi
  sleep 0.5
done
run_seconds=$(( ($(date +%s%N) - start) / 1000000000 ))
echo "make run on a fresh clone until /healthz answers 200 (venv + install + migrate + demo data): ${run_seconds}s"
