"""gunicorn's settings: two sync workers on RECIPE_PORT (8460 by default), in the background."""
import os

bind = "127.0.0.1:" + os.environ.get("RECIPE_PORT", "8460")
workers = 2
pidfile = "run/gunicorn.pid"
errorlog = "run/gunicorn.log"
daemon = True


def post_worker_init(worker):
    """Once a worker has loaded the app, deploy.sh may count it as ready."""
    release = open("run/release").read().strip()
    with open("run/ready", "a") as ready:
        ready.write(f"{release} {worker.pid}\n")
