# wait_for TEXT FILE: waits until a line of FILE starts with TEXT (at most 30 s).
wait_for() {
  tries=300
  until grep -q "^$1" "$2" 2>/dev/null; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || { echo "gave up waiting for \"$1\" in $2" >&2; tail -5 "$2" >&2; return 1; }
    sleep 0.1
  done
}
# wait_gone PID: waits until the process has exited (at most 30 s).
wait_gone() {
  tries=300
  while kill -0 "$1" 2>/dev/null; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || { echo "gave up waiting for process $1 to exit" >&2; return 1; }
    sleep 0.1
  done
}
