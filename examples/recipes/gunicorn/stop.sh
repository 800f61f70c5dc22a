#!/bin/sh
# Stops gunicorn.
./gunicorn.sh stop
