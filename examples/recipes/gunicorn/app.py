"""A WSGI app run by gunicorn: it answers as the release in run/release, read as it loads."""
import os
import time

# A real app loads its code and connects to its services before it can answer: here, one second.
time.sleep(1)
RELEASE = open("run/release").read().strip()
HEADERS = [
    ("content-type", "text/plain"),
    ("x-release", RELEASE),
    ("x-instance", f"worker-{os.getpid()}"),
]


def app(environ, start_response):
    time.sleep(0.05)  # each request takes 50 ms of work
    start_response("200 OK", HEADERS)
    return [b"hello\n"]
