#!/bin/bash
# PID 1 of a lab VM (there is no systemd): starts sshd, then waits forever. Orphaned processes (e.g. a
# server started with nohup over ssh) are re-parented to this shell, which reaps them when they exit.
# The lab stops the VM with SIGKILL on this process, which kills everything in the VM.
mkdir -p -m 0755 /run/sshd
/usr/sbin/sshd -D -e &
while :; do
  sleep 3600 &
  wait $!
done
