# wait_for TEXT FILE: waits until a line of FILE starts with TEXT (at most 30 s).
wait_for() {
  tries=300
  until grep -q "^$1" "$2" 2>/dev/null; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || { echo "gave up waiting for \"$1\" in $2" >&2; tail -5 "$2" >&2; return 1; }
    sleep 0.1
  done
}
