#!/bin/sh
# Spur's container entrypoint: gives Spur a cgroup v2 subtree it can hand out, then execs the command it
# was given (the image's `spur server …`), so that Spur itself receives SIGTERM and drains.
#
# Why: the linux sandbox puts every execution environment in a cgroup of its own, under a parent cgroup
# beside Spur's own cgroup (spur-sandbox's Cgroups). Under cgroup v2 a cgroup may enable controllers
# for its children (cgroup.subtree_control) only while no process is in it ("no internal processes").
# In a container with its own cgroup namespace, the namespace's root cgroup holds the container's
# processes, so enabling a controller there fails with EBUSY. This script therefore FIRST moves every
# process of its cgroup into a child (init/), and only THEN enables the controllers. Spur, started
# from init/, then creates its parent cgroup beside init/ and its environments beneath that.
#
# Under cgroup v1, or when the cgroup is read-only, it changes nothing and says so; Spur's own start-up
# check then tells whether the linux sandbox can run (else start it with --sandbox process).
#
# Variables, for unusual hosts and for tests:
#   SPUR_CGROUP_MOUNT        where cgroup v2 is mounted (default /sys/fs/cgroup)
#   SPUR_CGROUP_ROOT         the cgroup to delegate (default: this process's own, from /proc/self/cgroup)
#   SPUR_CGROUP_CONTROLLERS  the controllers to enable (default "cpu memory pids": what Spur limits)
#   SPUR_CGROUP_LEAF         the child cgroup that takes the processes (default init)
# Only shell builtins run between the move and the enabling, so no process forked meanwhile lands back
# in the cgroup being emptied.
set -eu

say() { printf 'spur-entrypoint: %s\n' "$*" >&2; }

if [ "$#" -eq 0 ]; then
  say "usage: entrypoint.sh COMMAND [ARG...]"
  exit 2
fi

mount=${SPUR_CGROUP_MOUNT:-/sys/fs/cgroup}
root=${SPUR_CGROUP_ROOT:-}
if [ -z "$root" ]; then
  own=/
  while IFS= read -r line; do
    case $line in 0::*) own=${line#0::} ;; esac
  done < /proc/self/cgroup
  root=${mount%/}${own%/}
fi

if [ ! -f "$root/cgroup.controllers" ]; then
  say "no cgroup v2 at $root (cgroup v1, or none): nothing to delegate"
  exec "$@"
fi
if [ ! -w "$root/cgroup.subtree_control" ]; then
  say "cgroup v2 at $root is read-only: the linux sandbox cannot create cgroups (see README, Run on Kubernetes; or use --sandbox process)"
  exec "$@"
fi

# The hierarchy's real root may hold processes and still enable controllers; any other cgroup (it has
# cgroup.type) must be emptied first.
if [ -f "$root/cgroup.type" ]; then
  leaf=$root/${SPUR_CGROUP_LEAF:-init}
  [ -d "$leaf" ] || mkdir "$leaf"
  rounds=0
  while IFS= read -r first < "$root/cgroup.procs"; do
    rounds=$((rounds + 1))
    if [ "$rounds" -gt 50 ]; then
      say "cannot move process $first out of $root into $leaf; controllers not enabled"
      exec "$@"
    fi
    while IFS= read -r pid; do
      # a process that exited meanwhile answers ESRCH: it is gone anyway
      { printf '%s\n' "$pid" > "$leaf/cgroup.procs"; } 2> /dev/null || :
    done < "$root/cgroup.procs"
  done
fi

IFS= read -r available < "$root/cgroup.controllers" || available=
wanted=
for c in ${SPUR_CGROUP_CONTROLLERS:-cpu memory pids}; do
  case " $available " in
    *" $c "*) wanted="$wanted +$c" ;;
    *) say "controller $c is not available in $root (it has: $available)" ;;
  esac
done
if [ -n "$wanted" ]; then
  if { printf '%s\n' "${wanted# }" > "$root/cgroup.subtree_control"; } 2> /dev/null; then
    say "cgroup v2 at $root: processes in ${SPUR_CGROUP_LEAF:-init}/, enabled$wanted for its children"
  else
    IFS= read -r enabled < "$root/cgroup.subtree_control" || enabled=
    say "could not enable$wanted in $root (enabled: ${enabled:-none})"
  fi
fi
exec "$@"
