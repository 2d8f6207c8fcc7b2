// Tests run from TypeScript through tsx. The global setup gives the run its own database and Redis prefix.
module.exports = {
  'node-option': ['import=tsx'],
  require: ['test/global-setup.ts'],
  ignore: ['node_modules/**', 'dist/**'],
  timeout: 30000,
  reporter: 'spec',
};
