// Moved to scripts/lib so the benchmarks share it; kept here for the tests' imports.
export * from '../../scripts/lib/app-process.js';
