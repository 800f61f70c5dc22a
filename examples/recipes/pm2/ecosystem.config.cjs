// CommonJS (.cjs) whatever the project's package.json says: pm2 requires this file.
// pm2's description of the app: two processes in cluster mode, sharing one port.
module.exports = {
  apps: [
    {
      name: 'recipe-app',
      script: 'app.cjs',
      cwd: __dirname,
      exec_mode: 'cluster',
      instances: 2,
      // Longer than a request: pm2 waits this long for a process to drain before it kills it.
      kill_timeout: 5000,
      env: { RECIPE_PORT: process.env.RECIPE_PORT ?? '8420' },
    },
  ],
};
