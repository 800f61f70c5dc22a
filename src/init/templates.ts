import { endpointsYaml, type SiegeUrls } from './siege-urls.ts';

/** Starter scenarios written by `bench init --platform …`: commented, valid as they are. */
export const PLATFORMS = ['embedded', 'heroku', 'kubernetes', 'pm2', 'command'] as const;
export type InitPlatform = (typeof PLATFORMS)[number];

const SCHEMA_LINE =
  '# yaml-language-server: $schema=./node_modules/deploy-bench/schema/scenario.schema.json';

const COMMON_TAIL = `timeline:
  warmup: 10s          # load before the deploy: the baseline
  cooldown: 20s        # load after the deploy completed
trials: 1              # several trials give medians, spreads, and a test of the noise
gates:                 # exit code 1 when one fails (docs/ci.md)
  - "*.errors == 0"
`;

/** What users send, beyond one GET: the scenario's other load settings, commented out. */
const REQUESTS = `  # keepAlive: false               # a new connection per request, as first visits make
  # request:                       # the one request every user sends (GET / by default)
  #   path: /health
  #   expect: { status: 2xx }      # any other answer is a failed "check"
  # endpoints:                     # or several instead, each picked by weight:
  #   - { name: home, weight: 5, path: /, expect: { status: 2xx, body: "<title>" } }
  #   - { name: assets, path: /assets/app.css, expect: { status: 200, headers: { content-type: "^text/css" } } }
  #   - name: cart
  #     method: POST
  #     path: /api/cart
  #     headers: { content-type: application/json }
  #     bodyFile: cart.json          # relative to this file
  #     expect: { status: [200, 201], bodyMatches: '"ok":\\s*true' }
`;

/** An https target's own certificate and HTTP/2, commented out. */
const TLS = `  # tls: { ca: staging-ca.pem }    # https with a private CA; or { insecure: true }, or { servername: … }
  # http2: true                    # HTTP/2 over TLS (ALPN)
`;

const TEMPLATES: Record<InitPlatform, string> = {
  embedded: `${SCHEMA_LINE}
# The embedded platform: a router in front of your app's processes, deployed with stop-start and
# preboot. Your app must listen on $PORT; RELEASE names the release (answer it in x-release).
name: my-app-embedded
target:
  platform:
    app:
      command: [node, server.js]   # how to start one process of your app
      env: {}
    processes: 1
    routerTimeout: 30s             # requests wait this long while no process is up, then 503
    bootTimeout: 2m
load:
  model: closed                    # N users, each waits for its answer (siege -c N)
  users: 4
${REQUESTS}variants:
  - { name: stop-start, strategy: stop-start }
  - { name: preboot, strategy: preboot }
${COMMON_TAIL}`,
  heroku: `${SCHEMA_LINE}
# Heroku: the same push without and with preboot. Needs the Heroku CLI and a git remote "heroku".
name: my-app-heroku
target:
  url: https://\${HEROKU_APP:-my-app}.herokuapp.com/
  ready: { timeout: 60s }
  # http2: true                    # HTTP/2 over TLS (ALPN)
load:
  model: closed
  users: 1
  timeout: 60s                     # above Heroku's 30 s router timeout
  # instanceHeader: x-dyno         # if the app answers with its $DYNO: one lane per dyno in the reports
${REQUESTS}deploy:
  markers:
    - { pattern: "Released (v\\\\d+)", phase: released }
variants:
  - name: no-preboot
    command: git commit --allow-empty -qm deploy-bench && git push -q heroku HEAD:main
    hooks: { beforeVariant: "heroku features:disable preboot -a \${HEROKU_APP:-my-app}" }
  - name: preboot
    command: git commit --allow-empty -qm deploy-bench && git push -q heroku HEAD:main
    hooks: { beforeVariant: "heroku features:enable preboot -a \${HEROKU_APP:-my-app}" }
${COMMON_TAIL}`,
  kubernetes: `${SCHEMA_LINE}
# Kubernetes: a rollout restart of a Deployment, measured from outside the cluster.
name: my-app-kubernetes
target:
  url: \${TARGET_URL:-http://127.0.0.1:8080/}
  ready: { timeout: 60s }
${TLS}load:
  model: open                      # a fixed arrival rate: no coordinated omission
  rate: 50/s
  # instanceHeader: x-pod          # if the app answers with its pod name ($HOSTNAME): a lane per pod
${REQUESTS}deploy:
  markers:
    - { pattern: "successfully rolled out", phase: completed }
variants:
  - name: rollout
    command: kubectl rollout restart deployment/\${K8S_DEPLOYMENT:-web} && kubectl rollout status deployment/\${K8S_DEPLOYMENT:-web} --timeout=10m
  - name: rollout-again
    command: kubectl rollout restart deployment/\${K8S_DEPLOYMENT:-web} && kubectl rollout status deployment/\${K8S_DEPLOYMENT:-web} --timeout=10m
${COMMON_TAIL}`,
  pm2: `${SCHEMA_LINE}
# pm2: restart (stop, then start) against reload (one process at a time, new before old).
name: my-app-pm2
target:
  url: http://127.0.0.1:\${PORT:-3000}/
  ready: { timeout: 30s }
load:
  model: closed
  users: 4
  # instanceHeader: x-instance     # if each process names itself in a header: a lane per process
${REQUESTS}variants:
  - { name: restart, command: "pm2 restart \${PM2_APP:-app}" }
  - { name: reload, command: "pm2 reload \${PM2_APP:-app}" }
${COMMON_TAIL}`,
  command: `${SCHEMA_LINE}
# Any platform: each variant is a shell command that deploys the target; its exit status decides
# success, its output is kept, and markers turn lines of it into phases on the timeline.
name: my-app
target:
  url: http://127.0.0.1:8080/
  ready: { timeout: 30s }
${TLS}load:
  model: closed
  users: 4
  # instanceHeader: x-instance     # a header naming the instance that answered: a lane per instance
${REQUESTS}deploy:
  markers:
    - { pattern: "deployed", phase: completed }
variants:
  - { name: current, command: "./deploy.sh" }
  - { name: candidate, command: "./deploy.sh --zero-downtime" }
${COMMON_TAIL}`,
};

export function starterScenario(platform: InitPlatform): string {
  return TEMPLATES[platform];
}

/**
 * A starter for a target deployed by `platform` (not the embedded one) that loads the endpoints of a
 * siege URL file: the template with its URL and its commented requests replaced.
 */
export function siegeScenario(
  platform: Exclude<InitPlatform, 'embedded'>,
  urls: SiegeUrls,
  file: string,
): string {
  const template = TEMPLATES[platform];
  return template.replace(/^ {2}url: .*$/m, `  url: ${JSON.stringify(`${urls.origin}/`)}`).replace(
    REQUESTS,
    `  # keepAlive: false               # a new connection per request, as first visits make
  # From ${file.replace(/\s+/g, ' ')} (siege -f): a line given n times weighs n. Give each the
  # answer it must get, e.g. expect: { status: 2xx, body: "<title>" }; any other is a failed "check".
${endpointsYaml(urls.endpoints)}
`,
  );
}
