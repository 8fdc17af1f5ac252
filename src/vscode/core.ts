// Entry of dist/core.js: the analysis (core, rules, `yaml`) as the editor layer calls it. The main
// bundle (dist/extension.js) holds only the editor layer and the pre-scan; it requires this bundle
// (src/vscode/coreLoader.ts) the first time a file's pre-scan finds something of identity, or a
// command needs the analysis. Everything the editor layer calls of the core comes through here;
// it imports the core's types only.
export { diffEdit } from '../core/edits';
export { checkFileSteps, Project } from '../core/engine';
export { highlightsOf } from '../core/highlights';
export { parseManifestFileSteps, rangeOf } from '../core/model';
export { docsUrl } from '../core/rules';
export { WorkspaceIndex } from '../core/workspace';
