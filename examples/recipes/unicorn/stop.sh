#!/bin/sh
# Stops unicorn.
./unicorn.sh stop
