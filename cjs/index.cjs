// deploy-bench for CommonJS callers: `const bench = require('deploy-bench')`.
// The package is an ES module. Node loads one from require() since 20.19 and 22.12: this hands
// back that very module, so there is one copy of every class (`instanceof ScenarioError` holds for
// both kinds of caller). An older Node cannot, and is told the way that works everywhere.
try {
  module.exports = require('../dist/index.js');
} catch (error) {
  if (error?.code !== 'ERR_REQUIRE_ESM') throw error;
  throw new Error(
    `deploy-bench is an ES module, which require() cannot load here (Node ${process.version}; ` +
      'it needs 20.19 or later, without --no-experimental-require-module): use ' +
      "`const bench = await import('deploy-bench')`",
    { cause: error },
  );
}
