#!/usr/bin/env bash
# The executor plugins in their own environment, .venv-cluster (requirements-cluster.txt),
# then Debian's Slurm (slurm-wlm: slurmctld, slurmd, sbatch, squeue...) and MUNGE for the cluster
# test (tests/test_cluster.py), which starts a one-node cluster on this machine.
# Where they cannot be installed, say why and go on: that test then skips with the reason.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-cluster/bin/snakemake ]; then
  if python3 -m venv .venv-cluster && .venv-cluster/bin/pip install -q -r requirements-cluster.txt; then
    echo "install-cluster: .venv-cluster has the executor plugins"
  else
    echo "install-cluster: could not make .venv-cluster; the cluster tests will be skipped"
  fi
fi
have() { command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null \
  && command -v munged >/dev/null; }
if have; then
  echo "install-cluster: $(slurmctld -V 2>/dev/null) and $(munged -V 2>/dev/null | head -1) already installed"
  exit 0
fi
if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
  echo "install-cluster: not root and no passwordless sudo; the SLURM cluster test will be skipped"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "install-cluster: no apt-get (not Debian); the SLURM cluster test will be skipped"
  exit 0
fi
# slurm-wlm pulls in slurmctld, slurmd and slurm-client; Debian's packages would start the
# daemons with the packaged /etc configuration, which the test does not use: policy-rc.d
# (exit 101) keeps them from being started during the install.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod +x /usr/sbin/policy-rc.d
  REMOVE_POLICY=1
fi
if $SUDO apt-get update -qq \
   && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null \
   && have; then
  echo "install-cluster: installed $(slurmctld -V 2>/dev/null) and $(munged -V 2>/dev/null | head -1)"
else
  echo "install-cluster: apt-get could not install slurm-wlm and munge; the SLURM cluster test will be skipped"
fi
if [ "${REMOVE_POLICY:-0}" = 1 ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
exit 0
