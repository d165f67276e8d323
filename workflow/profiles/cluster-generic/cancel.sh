#!/usr/bin/env bash
# Cancel command of the cluster-generic profile: `cancel.sh ID...` stops jobs that submit.sh
# started, each with its whole session (the job's Snakemake and the script it runs).
set -uo pipefail
for id in "$@"; do
  base=.snakemake/cluster-generic/$id
  pid=$(cat "$base.pid" 2>/dev/null) || continue
  if ps -o args= -p "$pid" 2>/dev/null | grep -qF -- "$base"; then
    kill -TERM -- "-$pid" 2>/dev/null || true
  fi
done
exit 0
