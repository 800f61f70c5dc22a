#!/bin/sh
# Stops puma.
./puma.sh stop
