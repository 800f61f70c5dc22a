# A Rack app: it answers as the release in run/release, read as it loads.
# A real app loads its code and connects to its services before it can answer: here, one second.
sleep 1
release = File.read("run/release").strip
# Loaded: deploy.sh may count this worker as ready.
File.open("run/ready", "a") { |ready| ready.puts("#{release} #{Process.pid}") }

headers = { "content-type" => "text/plain", "x-release" => release, "x-instance" => "worker-#{Process.pid}" }
run lambda { |_env|
  sleep 0.05 # each request takes 50 ms of work
  [200, headers, ["hello\n"]]
}
