/**
 * jsonc-parser, as the template readers use it. In the editor's bundles this folder is the sibling
 * bundle dist/jsonc.js (scripts/bundles.cjs), required when the first ARM template is read, so
 * that the parser never loads on activation; elsewhere it is this module.
 */
export { applyEdits, modify, parseTree, findNodeAtLocation, getNodePath, getNodeValue, type Node as JsonNode, type ParseError, type FormattingOptions } from 'jsonc-parser';
