#!/usr/bin/env bash
# Status command of the cluster-generic profile: `status.sh ID` prints running, success or
# failed for a job that submit.sh started (files in .snakemake/cluster-generic/).
set -uo pipefail
id=${1:?usage: status.sh ID}
base=.snakemake/cluster-generic/$id
finished() {
  [ -f "$base.exit" ] || return 1
  if [ "$(cat "$base.exit")" = 0 ]; then echo success; else echo failed; fi
}
finished && exit 0
pid=$(cat "$base.pid" 2>/dev/null) || { echo failed; exit 0; }
# alive, and still the job's process (not a later process that reused the id)
if kill -0 "$pid" 2>/dev/null && ps -o args= -p "$pid" 2>/dev/null | grep -qF -- "$base"; then
  echo running
  exit 0
fi
# it may have ended between the first look and now
finished && exit 0
# gone without an exit code: killed (cancel.sh, SIGKILL, a reboot)
echo failed
