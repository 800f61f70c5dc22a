# wait_gone PID: waits until the process has exited (at most 30 s).
wait_gone() {
  tries=300
  while kill -0 "$1" 2>/dev/null; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || { echo "gave up waiting for process $1 to exit" >&2; return 1; }
    sleep 0.1
  done
}
# wait_ready RELEASE: waits until both workers of RELEASE have loaded the app (at most 30 s).
wait_ready() {
  tries=300
  until [ "$(grep -c "^$1 " run/ready 2>/dev/null)" -ge 2 ]; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || { echo "gave up waiting for the workers of $1" >&2; return 1; }
    sleep 0.1
  done
}
