"""On a cluster, the workflow gives the same bytes as on one machine.

- SLURM: a one-node cluster is started on this machine (munged, slurmctld and slurmd of
  Debian's slurm-wlm, all configured in a temporary folder), the workflow runs through the
  profile workflow/profiles/slurm (snakemake-executor-plugin-slurm: one sbatch job per
  rule and study), and its results/ are byte-identical to a local run.
- cluster-generic: the workflow runs through workflow/profiles/cluster-generic, whose
  submit.sh starts every job detached on this machine (no scheduler needed), and its
  results/ are byte-identical to a local run.

Every file of results/ is compared, logs/ included: results/logs/ holds what each job's
script writes (the same text wherever it runs); what the executors write (sbatch output,
the job's own Snakemake log) goes to .snakemake/, which is not compared.

The local reference runs once per module, in a temporary copy of the repository; each
cluster run uses a copy of that copy. PYTHONPATH points every run, and every job on the
cluster, at the copy's own workflow/ folder, so that the project's package is imported
from the copy: the editable install would otherwise import workflow/reanalysis from the
repository, which may change between two runs while someone edits it.

The SLURM test needs root (slurmd starts jobs as root here, SlurmUser=root) and the Debian
packages slurm-wlm and munge (`bash tests/install-cluster.sh`); without them it is skipped
with the reason. Its daemons are stopped by their own process ids, whatever happens.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ROOT, SNAKEMAKE, assert_same_tree, copy_repo

PROFILES = Path("workflow") / "profiles"
INPUTS = ("Snakefile", "workflow", "config", "raw")
SLURM_TOOLS = ("munged", "slurmctld", "slurmd", "sbatch", "srun", "squeue", "sinfo", "scontrol", "scancel")


def frozen_env(workdir: Path, **extra: str) -> dict:
    """The environment of a run: the copy's own package first on the path."""
    env = dict(os.environ, **extra)
    env["PYTHONPATH"] = os.pathsep.join([str(workdir / "workflow"), *filter(None, [env.get("PYTHONPATH")])])
    env.pop("SNAKEMAKE_PROFILE", None)
    return env


# The executor plugins live in their own environment (.venv-cluster, made by
# tests/install-cluster.sh): Snakemake imports every installed executor plugin at start-up,
# and the SLURM plugin's import of pandas would add most of a second to every local run.
CLUSTER_SNAKEMAKE = ROOT / ".venv-cluster" / "bin" / "snakemake"


@pytest.fixture(scope="module")
def cluster_snakemake() -> str:
    if not CLUSTER_SNAKEMAKE.exists():
        pytest.skip(f"no {CLUSTER_SNAKEMAKE}: bash tests/install-cluster.sh makes it (the executor plugins)")
    return str(CLUSTER_SNAKEMAKE)


def snakemake(workdir: Path, *args: str, env: dict, exe: str = SNAKEMAKE) -> subprocess.CompletedProcess:
    return subprocess.run([exe, "--cores", "2", *args], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=600)


def copy_inputs(src: Path, dest: Path) -> Path:
    for name in INPUTS:
        (shutil.copytree if (src / name).is_dir() else shutil.copy)(src / name, dest / name)
    return dest


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """A local run (the default executor) in a copy of the repository."""
    workdir = copy_repo(tmp_path_factory.mktemp("cluster-reference"))
    result = snakemake(workdir, env=frozen_env(workdir))
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir


# ---------------------------------------------------------------------------------------
# A one-node SLURM cluster in a temporary folder

SLURM_CONF = """\
# A one-node cluster for tests/test_cluster.py, written into {dir}
ClusterName=snaketest
SlurmctldHost={node}(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# this cluster's own munged, not the system's
AuthInfo=socket={dir}/munge/munge.socket
StateSaveLocation={dir}/state
SlurmdSpoolDir={dir}/spool
SlurmctldPidFile={dir}/slurmctld.pid
SlurmdPidFile={dir}/slurmd.pid
SlurmctldLogFile={dir}/log/slurmctld.log
SlurmdLogFile={dir}/log/slurmd.log
MailProg=/bin/true
# no cgroups: processes are tracked through /proc, tasks are not bound or confined
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
# no accounting database (slurmdbd): the profile asks squeue, not sacct, for job states
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
# squeue shows a finished job for this long (s): the executor reads its final state there,
# and the test checks that every job of the run is listed as COMPLETED
MinJobAge=3600
# generous: the machine may be busy with other tests
SlurmctldTimeout=120
SlurmdTimeout=300
NodeName={node} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={memory} State=UNKNOWN
PartitionName=test Nodes={node} Default=YES MaxTime=INFINITE State=UP
"""

# Read by slurmd only with cgroup plugins, which slurm.conf above does not use; written so
# that nothing falls back to a system-wide /etc/slurm/cgroup.conf.
CGROUP_CONF = """\
CgroupAutomount=no
ConstrainCores=no
ConstrainDevices=no
ConstrainRAMSpace=no
ConstrainSwapSpace=no
"""

# The executor's job step (snakemake-executor-plugin-slurm-jobstep 0.6.1) runs `srun` inside
# each job with every SLURM_* variable removed, SLURM_CONF included, so srun would look for
# the system's /etc/slurm/slurm.conf (or DNS SRV records) instead of this cluster's. This
# srun, first on PATH in the jobs, puts SLURM_CONF back. A cluster whose slurm.conf is at the
# standard place (or served "configless" by slurmctld) needs no such thing.
SRUN_SHIM = """\
#!/bin/sh
SLURM_CONF={conf} exec {srun} "$@"
"""


def free_ports(n: int) -> list[int]:
    """n distinct ports that nothing listens on (another test cluster may be running)."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def memory_mb() -> int:
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    return 2000


def tail(path: Path, n: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return f"(no {path.name})"


class SlurmCluster:
    """munged, slurmctld and slurmd, each in the foreground (-F/-D), so that the process
    this object started is the daemon itself and is stopped by its own pid."""

    def __init__(self, root: Path):
        self.root = root
        self.conf = root / "slurm.conf"
        self.env = dict(os.environ, SLURM_CONF=str(self.conf))
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def write_config(self) -> None:
        for sub in ("munge", "state", "spool", "log", "bin"):
            (self.root / sub).mkdir()
        self.node = socket.gethostname().split(".")[0]
        ctld_port, slurmd_port = free_ports(2)
        self.conf.write_text(SLURM_CONF.format(
            dir=self.root, node=self.node, ctld_port=ctld_port, slurmd_port=slurmd_port,
            cpus=os.cpu_count() or 1, memory=max(1000, int(memory_mb() * 0.9))))
        (self.root / "cgroup.conf").write_text(CGROUP_CONF)
        key = self.root / "munge" / "munge.key"
        if shutil.which("mungekey"):
            subprocess.run(["mungekey", "--create", f"--keyfile={key}"], check=True, capture_output=True)
        else:
            key.write_bytes(os.urandom(1024))
        key.chmod(0o600)
        srun = self.root / "bin" / "srun"
        srun.write_text(SRUN_SHIM.format(conf=self.conf, srun=shutil.which("srun")))
        srun.chmod(0o755)

    def start(self, name: str, *args: str) -> None:
        log = open(self.root / "log" / f"{name}.out", "wb")
        self.procs.append((name, subprocess.Popen([name, *args], env=self.env, stdout=log,
                                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)))
        log.close()

    def died(self) -> str | None:
        for name, proc in self.procs:
            if proc.poll() is not None:
                return (f"{name} exited with {proc.returncode}:\n{tail(self.root / 'log' / f'{name}.out')}"
                        f"\n{tail(self.root / 'log' / f'{name}.log')}")
        return None

    def wait_for(self, ready, what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if (reason := self.died()) is not None:
                pytest.skip(f"the SLURM test cluster could not start ({what}): {reason}")
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}:\n{self.sinfo()}\n"
                            f"{tail(self.root / 'log' / 'slurmctld.log')}\n{tail(self.root / 'log' / 'slurmd.log')}")
            time.sleep(0.5)

    def sinfo(self) -> str:
        result = subprocess.run(["sinfo", "-h", "-N", "-o", "%N %T"], env=self.env, capture_output=True, text=True)
        return result.stdout + result.stderr

    def up(self) -> None:
        self.write_config()
        munge = self.root / "munge"
        # munged requires its socket's folder to be searchable by all
        self.root.chmod(0o755)
        munge.chmod(0o755)
        self.start("munged", "-F", f"--socket={munge}/munge.socket", f"--key-file={munge}/munge.key",
                   f"--pid-file={munge}/munged.pid", f"--seed-file={munge}/munged.seed",
                   f"--log-file={self.root}/log/munged.log")
        self.wait_for(lambda: (munge / "munge.socket").exists(), "munged's socket", 30)
        self.start("slurmctld", "-D", "-i", "-f", str(self.conf))
        self.wait_for(lambda: subprocess.run(["scontrol", "ping"], env=self.env, capture_output=True,
                                             text=True).stdout.count("UP") > 0, "slurmctld", 60)
        self.start("slurmd", "-D", "-f", str(self.conf))
        self.wait_for(lambda: self.sinfo().split() == [self.node, "idle"], f"node {self.node} idle", 60)

    def down(self) -> None:
        if any(proc.poll() is None for name, proc in self.procs if name == "slurmctld"):
            # end this cluster's jobs first, so no job step outlives its slurmd
            subprocess.run(["scancel", "--full", "--user", "root"], env=self.env, capture_output=True, timeout=30)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and subprocess.run(
                    ["squeue", "-h", "-t", "RUNNING,COMPLETING,PENDING", "-o", "%i"], env=self.env,
                    capture_output=True, text=True, timeout=30).stdout.strip():
                time.sleep(0.5)
        for name, proc in reversed(self.procs):  # slurmd, slurmctld, then munged
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def slurm_installed() -> None:
    """Skips where the daemons cannot run, before the reference run (both module-scoped:
    the test names this one first)."""
    if os.geteuid() != 0:
        pytest.skip("the SLURM test cluster needs root (slurmd runs jobs as root, SlurmUser=root)")
    missing = [tool for tool in SLURM_TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"no {', '.join(missing)}: Debian's slurm-wlm and munge are not installed "
                    "(bash tests/install-cluster.sh installs them)")


@pytest.fixture
def slurm_cluster(slurm_installed):
    # not pytest's tmp_path: munged wants every folder above its socket searchable
    cluster = SlurmCluster(Path(tempfile.mkdtemp(prefix="slurm-test-")))
    try:
        cluster.up()
        yield cluster
    finally:
        cluster.down()
        shutil.rmtree(cluster.root, ignore_errors=True)


def test_slurm_run_equals_local_run(slurm_installed, cluster_snakemake, reference, slurm_cluster, tmp_path):
    workdir = copy_inputs(reference, tmp_path)
    env = frozen_env(workdir, SLURM_CONF=str(slurm_cluster.conf))
    env["PATH"] = f"{slurm_cluster.root / 'bin'}{os.pathsep}{env['PATH']}"
    result = snakemake(workdir, "--workflow-profile", str(PROFILES / "slurm"), env=env, exe=cluster_snakemake)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-5000:]
    # every job but the target went through sbatch, and SLURM saw each one finish
    submitted = [line for line in out.splitlines() if "has been submitted with SLURM jobid" in line]
    states = subprocess.run(["squeue", "-h", "-t", "all", "-o", "%i %T"], env=slurm_cluster.env,
                            capture_output=True, text=True, check=True).stdout.split("\n")
    assert len(submitted) == len(local_jobs(reference)) - 1
    assert sorted(line.split()[1] for line in states if line) == ["COMPLETED"] * len(submitted)
    assert_same_tree(reference / "results", workdir / "results")


def test_cluster_generic_run_equals_local_run(cluster_snakemake, reference, tmp_path):
    workdir = copy_inputs(reference, tmp_path)
    result = snakemake(workdir, "--workflow-profile", str(PROFILES / "cluster-generic"), env=frozen_env(workdir),
                       exe=cluster_snakemake)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-5000:]
    # every job but the target went through submit.sh, and each ended with exit code 0
    jobs = workdir / ".snakemake" / "cluster-generic"
    exits = [p.read_text().strip() for p in jobs.glob("*.exit")]
    assert out.count("Submitted job") == len(exits) == len(local_jobs(reference)) - 1
    assert set(exits) == {"0"}
    assert_same_tree(reference / "results", workdir / "results")


def local_jobs(workdir: Path) -> list[str]:
    """The jobs of the reference run, read from its Snakemake log (`rule` headers)."""
    log = max((workdir / ".snakemake" / "log").glob("*.snakemake.log"))
    return [line for line in log.read_text().splitlines() if line.startswith(("rule ", "localrule "))]
