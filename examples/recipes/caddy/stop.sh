#!/bin/sh
# Stops caddy and both backends.
./caddy.sh stop
./backend.sh stop blue
./backend.sh stop green
exit 0
