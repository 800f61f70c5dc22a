# puma's settings: cluster mode, two workers on RECIPE_PORT (8470 by default).
port ENV.fetch("RECIPE_PORT", "8470"), "127.0.0.1"
workers 2
threads 1, 4
pidfile "run/puma.pid"
# A phased restart needs the app loaded by each worker (no preload_app!), and prune_bundler so that
# a worker started later loads the gems of the release it runs, not those the master started with.
prune_bundler
# Without the reactor, a worker that is shutting down closes a kept-alive connection after its
# request instead of going on serving it: with it (puma 5's default), a phased restart waits on an
# old worker for as long as a client keeps sending (up to worker_shutdown_timeout, then a kill).
queue_requests false
