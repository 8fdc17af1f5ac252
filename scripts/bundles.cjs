// The bundles and their esbuild options: scripts/build.mjs builds them, the benchmark (B6) and the
// bundle test build the main bundle with the same options in memory.
const { join } = require('node:path');

const root = join(__dirname, '..');

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // yaml's ES module build (the same code as its CommonJS build, which esbuild cannot tree-shake),
  // so that what the analysis never calls stays out of the bundles.
  alias: { yaml: './node_modules/yaml/browser/index.js', 'jsonc-parser': './node_modules/jsonc-parser/lib/esm/main.js' },
  plugins: [shellParserAside()],
};

/**
 * The CLI's `cluster` command reads the cluster with dist/cluster.js, the bundle the editor's
 * `Check cluster` command loads: src/cli's `../cluster` becomes a require of that sibling bundle
 * rather than a second copy of @kubernetes/client-node inside dist/cli.js.
 */
const clusterBundleOfCli = {
  name: 'cluster-bundle-of-cli',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/cluster$/ }, (args) =>
      /[\\/]src[\\/]cli$/.test(args.resolveDir) ? { path: './cluster', external: true } : undefined,
    );
  },
};

/**
 * The CLI's `cluster --azure` checks federated credentials with dist/cli-azure.js (the Azure SDKs):
 * src/cli's `./azure` becomes a require of that sibling bundle, so that no other command loads them.
 */
const azureBundleOfCli = {
  name: 'azure-bundle-of-cli',
  setup(build) {
    build.onResolve({ filter: /^\.\/azure$/ }, (args) =>
      /[\\/]src[\\/]cli$/.test(args.resolveDir) ? { path: './cli-azure', external: true } : undefined,
    );
  },
};

/**
 * The shell parser (mvdan-sh, 1.5 MB) is required when a shell script is first checked: every
 * bundle requires it as its sibling dist/shell-parser.js, which holds it alone.
 */
function shellParserAside() {
  return {
    name: 'shell-parser-aside',
    setup(build) {
      build.onResolve({ filter: /^mvdan-sh$/ }, () => ({ path: './shell-parser.js', external: true }));
    },
  };
}

/** By name: the entry point, the bundle's path, and its own options. */
const bundles = {
  cli: { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [shellParserAside(), clusterBundleOfCli, azureBundleOfCli] },
  // `wi-migrate cluster --azure`: the federated-credential check and the Azure SDKs, signed in with az login.
  cliAzure: { entryPoints: ['src/cli/azure.ts'], outfile: 'dist/cli-azure.js', minify: true },
  // Loaded on activation: the editor layer and the pre-scan, minified (the source map keeps stack
  // traces readable). The analysis, the Azure SDKs and the cluster reader stay out: './core' (the
  // core, the rules and yaml) is the sibling bundle required the first time the pre-scan finds
  // something of identity (src/vscode/coreLoader.ts), './azure' the one required on the first Azure
  // command, './cluster' the one the `Check cluster` command requires, './jsonc' (jsonc-parser,
  // src/core/templates/jsonc) the one required when the first ARM template naming pod identity is read.
  extension: { entryPoints: ['src/vscode/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', './azure', './core', './cluster', './jsonc'], minify: true },
  core: { entryPoints: ['src/vscode/core.ts'], outfile: 'dist/core.js', external: ['./jsonc'], minify: true },
  // './core' stays external here too: the Azure commands share the one loaded analysis.
  azure: { entryPoints: ['src/vscode/azure/index.ts'], outfile: 'dist/azure.js', external: ['vscode', './core'] },
  // The cluster check (@kubernetes/client-node), required by the `Check cluster` command on first use.
  cluster: { entryPoints: ['src/cluster/index.ts'], outfile: 'dist/cluster.js', minify: true },
  // Fix-all of a file runs in a worker thread, off the extension host's thread.
  fixAllWorker: { entryPoints: ['src/vscode/fixAllWorker.ts'], outfile: 'dist/fixAllWorker.js', external: ['./jsonc'], minify: true },
  // jsonc-parser for the ARM template readers of the extension and its worker.
  jsonc: { entryPoints: ['src/core/templates/jsonc/index.ts'], outfile: 'dist/jsonc.js', minify: true },
  // The shell parser, required by the others on the first shell script or pipeline checked.
  shellParser: { entryPoints: ['node_modules/mvdan-sh/index.js'], outfile: 'dist/shell-parser.js', minify: true, sourcemap: false },
  // Test-only: the hooks host tests use (scripted Azure UI, event-loop monitor). The extension
  // loads it only when the host test harness names it in WI_TEST_HOOKS; it is not in the VSIX.
  testHooks: { entryPoints: ['src/vscode/testHooks.ts'], outfile: 'dist/test-hooks.js' },
};

/** The esbuild options of the bundle `name`, with `overrides` on top. */
function bundleOptions(name, overrides = {}) {
  return { ...common, ...bundles[name], ...overrides };
}

module.exports = { root, bundles, bundleOptions };
