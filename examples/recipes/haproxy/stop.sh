#!/bin/sh
# Stops haproxy and both backends.
./haproxy.sh stop
./backend.sh stop blue
./backend.sh stop green
exit 0
