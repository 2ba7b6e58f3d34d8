#!/usr/bin/env bash
# The newcomer's path, timed (issue 17): a fresh clone and a fresh virtual environment per
# README command, each command run verbatim under `time`. Usage:
#
#     benchmarks/newcomer.sh [REPO] [WORKDIR]     # REPO defaults to this clone's origin or path
#
# Prints the wall time of each command (install included) and writes newcomer-times.txt into
# WORKDIR. The README's "Two commands" section quotes its numbers.
set -euo pipefail
repo="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
work="${2:-$(mktemp -d)}"
mkdir -p "$work"
out="$work/newcomer-times.txt"
: >"$out"

run() {  # run NAME COMMAND: a fresh clone and venv, the command timed
  local name="$1" cmd="$2" dir="$work/$1"
  rm -rf "$dir"
  git clone -q "$repo" "$dir"
  (
    cd "$dir"
    python3 -m venv .venv
    # shellcheck disable=SC1091
    . .venv/bin/activate
    python -m pip install -q --upgrade pip >/dev/null
    local t0 t1
    t0=$(date +%s)
    bash -c "$cmd" >"$work/$name.log" 2>&1 || echo "$name: exit $?" >>"$out"
    t1=$(date +%s)
    echo "$name: $((t1 - t0)) s  ($cmd)" | tee -a "$out"
  )
}

only="${ONLY:-main-job tests}"  # ONLY=main-job: the first command alone
case " $only " in *" main-job "*) run main-job 'python -m pip install -e ".[report]" && asyncmsgd report' ;; esac
case " $only " in *" tests "*) run tests 'python -m pip install -e ".[test]" && python -m pytest' ;; esac
echo "wrote $out"
