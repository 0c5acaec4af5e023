# Sourced by system-deps.sh: waits (bounded) while another package manager holds apt's or dpkg's lock,
# and says so, instead of failing on "Could not get lock" or waiting in silence.
# MARSHAL_APT_LOCK_WAIT: the bound in seconds (default 300). MARSHAL_APT_LOCKS: the lock files (tests).

# The pid holding a POSIX lock (what apt and dpkg take) on the file, from /proc/locks; empty if none.
lock_holder() {
  local file=$1 inode
  [ -e "$file" ] || return 0
  inode=$(stat -c %i "$file")
  awk -v inode="$inode" '$2 != "->" { n = split($6, id, ":"); if (id[n] == inode) { print $5; exit } }' /proc/locks
}

wait_for_apt_locks() {
  local limit=${MARSHAL_APT_LOCK_WAIT:-300} waited=0 file pid holder
  local locks=${MARSHAL_APT_LOCKS:-/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock}
  for file in $locks; do
    while pid=$(lock_holder "$file") && [ -n "$pid" ]; do
      holder=$(ps -o args= -p "$pid" 2>/dev/null | cut -c1-60)
      if [ "$waited" -ge "$limit" ]; then
        echo "system-deps: $file is still held by pid $pid (${holder:-?}) after ${limit}s; run again once it is done (MARSHAL_APT_LOCK_WAIT sets the wait)" >&2
        return 1
      fi
      if [ $((waited % 30)) -eq 0 ]; then
        echo "system-deps: another package manager holds $file (pid $pid: ${holder:-?}); waiting for it (${waited}s of at most ${limit}s)…" >&2
      fi
      sleep 1
      waited=$((waited + 1))
    done
  done
  [ "$waited" -gt 0 ] && echo "system-deps: the package lock is free after ${waited}s; installing" >&2
  return 0
}
