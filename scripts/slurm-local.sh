#!/usr/bin/env bash
# slurm-local.sh up|down|env DIR — a private single-node Slurm cluster on
# 127.0.0.1 whose every file (configuration, munge key and socket, state,
# spool, logs, pid files) lives under DIR, for testing the DAG's launcher.
#
#   up DIR    write DIR/slurm.conf, start munged, slurmctld and slurmd, and wait
#             until the node is idle. Prints `export SLURM_CONF=DIR/slurm.conf`.
#   down DIR  cancel every job, `scontrol shutdown`, then stop whatever of the
#             three daemons is left, by the pids in DIR (never by name), and
#             wait until none of them is alive.
#   env DIR   print the export line only.
#
# Installs nothing: needs Debian's slurmctld, slurmd, slurm-client and munge
# (scripts/install-deps.sh --with-slurm), and root. No systemd, no slurmdbd:
# jobs are recorded by jobcomp/filetxt in DIR/jobcomp.log, and slurmctld logs
# each job step it creates in DIR/slurmctld.log. The node's CPUs and memory are
# those `slurmd -C` reports; memory is not a consumable resource (CR_CPU), so
# `srun --mem` is accepted and does not serialise steps.
# Ports: SK_SLURM_PORT (slurmctld; slurmd uses the next one), default random.
set -euo pipefail

die() { echo "slurm-local.sh: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: slurm-local.sh up|down|env DIR"
cmd=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)
conf=$dir/slurm.conf
export SLURM_CONF=$conf

# alive PID — the process exists and is not a zombie (this machine's init
# reaps exited daemons lazily, and a zombie still answers kill -0).
alive() {
    local s
    s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [ -n "$s" ] && [ "${s#Z}" = "$s" ]
}
# The daemons' pids, copied from their pid files once they started (a daemon
# removes its own pid file when it stops, so that file cannot tell us later).
pid_of() { [ -s "$dir/pids/$1" ] && cat "$dir/pids/$1" || true; }
record_pid() {  # NAME: wait for NAME's pid file and keep its pid
    local i
    for i in $(seq 1 100); do
        [ -s "$dir/$1.pid" ] && { cat "$dir/$1.pid" >"$dir/pids/$1"; return 0; }
        sleep 0.05
    done
    die "$1 wrote no pid file"
}

up() {
    local bin
    for bin in munged slurmctld slurmd sinfo srun scontrol; do
        command -v "$bin" >/dev/null || die "$bin is not installed (scripts/install-deps.sh --with-slurm)"
    done
    [ "$(id -u)" = 0 ] || die "must run as root"
    [ -n "$(ls -A "$dir/pids" 2>/dev/null)" ] && die "$dir already holds a cluster (slurm-local.sh down $dir first)"

    # munge: key 0600, socket folder 0755 (munged refuses 0700).
    mkdir -p "$dir/munge/run" "$dir/state" "$dir/spool" "$dir/pids"
    chmod 0700 "$dir/munge"
    chmod 0755 "$dir" "$dir/munge/run"
    chmod 0711 "$dir/munge"
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chmod 0600 "$dir/munge/munge.key"
    local sock=$dir/munge/run/munge.socket
    munged --force --key-file="$dir/munge/munge.key" --socket="$sock" \
        --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" \
        --seed-file="$dir/munge/munge.seed" --origin=127.0.0.1 </dev/null >/dev/null 2>&1 \
        || die "munged did not start: $(tail -n 3 "$dir/munged.log" 2>/dev/null)"
    record_pid munged

    local port=${SK_SLURM_PORT:-$((20000 + RANDOM % 20000))}
    # The node as slurmd sees it (CPUs, sockets, cores, memory), renamed.
    local node
    node=$(slurmd -C | head -n 1 | sed 's/^NodeName=[^ ]* //')
    cat >"$conf" <<EOF
# Written by scripts/slurm-local.sh: a private one-node test cluster.
ClusterName=sparsekit
SlurmctldHost=$(hostname -s)(127.0.0.1)
MailProg=/bin/true
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
SchedulerParameters=batch_sched_delay=0,sched_interval=1
MinJobAge=5
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.log
NodeName=sknode NodeAddr=127.0.0.1 $node State=UNKNOWN
PartitionName=sk Nodes=sknode Default=YES MaxTime=INFINITE State=UP
EOF
    slurmctld -i </dev/null >/dev/null 2>&1 || die "slurmctld did not start: $(tail -n 5 "$dir/slurmctld.log" 2>/dev/null)"
    record_pid slurmctld
    slurmd -N sknode </dev/null >/dev/null 2>&1 || die "slurmd did not start: $(tail -n 5 "$dir/slurmd.log" 2>/dev/null)"
    record_pid slurmd
    local i state=
    for i in $(seq 1 300); do
        state=$(sinfo -h -n sknode -o %T 2>/dev/null || true)
        [ "$state" = idle ] && break
        sleep 0.1
    done
    [ "$state" = idle ] || die "node not idle after 30 s (state '$state'); see $dir/slurmctld.log, $dir/slurmd.log"
    echo "export SLURM_CONF=$conf"
}

down() {
    [ -d "$dir/pids" ] || return 0
    local name pid i sig
    if alive "$(pid_of slurmctld)" 2>/dev/null; then
        scancel --quiet --full --user=root 2>/dev/null || true
        for i in $(seq 1 100); do   # jobs end (their steps are killed) before the daemons go
            [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
            sleep 0.1
        done
        scontrol shutdown >/dev/null 2>&1 || true
    fi
    # slurmd and slurmctld stop on `scontrol shutdown`, munged on SIGTERM; a
    # daemon still there after 10 s gets SIGTERM, after 5 more SIGKILL.
    for name in slurmd slurmctld munged; do
        pid=$(pid_of "$name")
        [ -n "$pid" ] || continue
        [ "$name" = munged ] && alive "$pid" && kill -TERM "$pid" 2>/dev/null
        for i in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
        for sig in TERM KILL; do
            alive "$pid" || break
            echo "slurm-local.sh: $name ($pid) still running, sending SIG$sig" >&2
            kill -"$sig" "$pid" 2>/dev/null || true
            for i in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
        done
        alive "$pid" && die "$name ($pid) would not stop"
        rm -f "$dir/pids/$name"
    done
    return 0
}

case $cmd in
up) up ;;
down) down ;;
env) echo "export SLURM_CONF=$conf" ;;
*) die "unknown command '$cmd' (up, down or env)" ;;
esac
