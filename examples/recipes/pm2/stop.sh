#!/bin/sh
# Stops the app and pm2's daemon.
PM2_HOME="$PWD/run/pm2" pm2 kill
