#!/usr/bin/env bash
# Submit command of the cluster-generic profile: `submit.sh JOBSCRIPT` runs one Snakemake
# job script on this machine, detached in its own session (setsid), and prints the job's
# id: the one line Snakemake reads back. It stands in for a scheduler's submit command
# (qsub, bsub, sbatch --parsable...), so the profile runs with no scheduler at all.
# Each job leaves, in .snakemake/cluster-generic/ of the working directory:
#   <id>.pid   the process id of the job's session leader (status.sh, cancel.sh)
#   <id>.log   the job's stdout and stderr (the job's own Snakemake output)
#   <id>.exit  the job script's exit code, written when it ends (status.sh)
set -euo pipefail
jobscript=${1:?usage: submit.sh JOBSCRIPT}
dir=.snakemake/cluster-generic
mkdir -p "$dir"
id="job$(date +%s%N)$$"
# Every descriptor is redirected, so that Snakemake, reading this script's stdout for the
# id, does not wait for the job to end. The exit code is written to a temporary name and
# renamed, so that status.sh never reads a half-written file.
setsid bash -c 'bash "$1" > "$2.log" 2>&1; echo $? > "$2.exit.tmp"; mv "$2.exit.tmp" "$2.exit"' \
  submit-job "$jobscript" "$dir/$id" < /dev/null > /dev/null 2>&1 &
echo $! > "$dir/$id.pid"
echo "$id"
