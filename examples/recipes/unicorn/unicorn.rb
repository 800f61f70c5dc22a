# unicorn's settings: two workers on RECIPE_PORT (8480 by default), in the background.
listen "127.0.0.1:#{ENV.fetch("RECIPE_PORT", "8480")}"
worker_processes 2
pid "run/unicorn.pid"
stderr_path "run/unicorn.log"
stdout_path "run/unicorn.log"
# Each worker loads the app (no preload_app): a new master's workers load the new release.
