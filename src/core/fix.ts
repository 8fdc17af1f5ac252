import type { FileEdit, TextEdit } from './edits';
import { isHidden, isTemplated } from './helm';
import { PLACEHOLDER_CLIENT_ID } from './k8s';
import type { ManifestDoc, ManifestFile } from './model';
import type { Fix } from './rule';
import type { WorkspaceIndex } from './workspace';

/**
 * A fix as data, the way a rule hands it to `RuleContext.fix`: edits in the rule's own file
 * (`TextEdit`) or in another file of the workspace (`FileEdit`). An `undefined` edit is one that
 * could not be made safely: then there is no fix at all, never a partial one.
 */
export interface FixSpec {
  /** What the quick fix says it does (`Fix.title`). */
  title: string;
  /** What the fix does, said of the object it changes (`Fix.label`). */
  label: string;
  edits: ReadonlyArray<TextEdit | FileEdit | undefined>;
  /** Keys of the objects the fix creates (`Fix.creates`). */
  creates?: readonly string[];
  /** Overrides "a placeholder was written" as the reason a human must finish the fix. */
  needsInput?: boolean;
}

/**
 * The one way a fix is built: every edit stamped with its file, the placeholder client id in
 * each edit's text marked for a human to fill in (and the fix then marked `needsInput`), what
 * the fix creates declared. No fix when an edit is missing, when there is none, or when an edit
 * would change template text (of this file or of another one in the index) unless it replaces
 * whole actions on purpose (`TextEdit.replacesActions`), a branch that `doc` (the if/else
 * alternative the fix was worked out on) leaves out, or another document read as alternatives.
 */
export function buildFix(file: ManifestFile, index: WorkspaceIndex, spec: FixSpec, doc?: ManifestDoc): Fix | undefined {
  if (spec.edits.length === 0 || spec.edits.some((e) => e === undefined)) return undefined;
  const edits = (spec.edits as Array<TextEdit | FileEdit>).map((e): FileEdit => markPlaceholder({ ...e, file: 'file' in e ? e.file : file.path }));
  for (const e of edits) {
    const target = e.file === file.path ? file : index.file(e.file);
    const createsFile = !target && e.start === 0 && e.end === 0;
    if (!createsFile && (!target || changesTemplate(target, e))) return undefined;
    if (target && outsideAlternative(target, file, doc, e.start, e.end)) return undefined;
  }
  const needsInput = spec.needsInput ?? edits.some((e) => e.placeholders);
  return {
    title: spec.title,
    label: spec.label,
    edits,
    ...(needsInput ? { needsInput } : {}),
    ...(spec.creates?.length ? { creates: [...spec.creates] } : {}),
  };
}

/**
 * True when an edit would change text that the alternative `doc` (the one the fix was worked out
 * on) leaves out, or text of another document read as if/else alternatives: whether such an edit
 * is right for every alternative is not known there. Edits inside `doc` that other alternatives
 * render too are checked when the findings of the alternatives are merged (`mergeAlternatives`).
 */
function outsideAlternative(target: ManifestFile, file: ManifestFile, doc: ManifestDoc | undefined, start: number, end: number): boolean {
  const inside = (d: ManifestDoc) => (start === end ? d.start < start && start < d.end : d.start < end && start < d.end);
  if (target.path === file.path && doc && inside(doc)) return doc.branches !== undefined && isHidden(doc.branches.alternatives[doc.branches.alternative], start, end);
  return branchedDocsOf(target).some(inside);
}

// Per parse of a file, its documents read as alternatives (most files have none): not a scan of every document per edit.
const branchedDocs = new WeakMap<ManifestFile, ManifestDoc[]>();

function branchedDocsOf(file: ManifestFile): ManifestDoc[] {
  let docs = branchedDocs.get(file);
  if (!docs) branchedDocs.set(file, (docs = file.docs.filter((d) => d.branches !== undefined)));
  return docs;
}

/** True when the edit changes template text: any of it, or, for an edit that `replacesActions`, part of an action. */
function changesTemplate(file: ManifestFile, e: TextEdit): boolean {
  if (!e.replacesActions) return isTemplated(file.masked.actions, e.start, e.end);
  return file.masked.actions.some(([a, b]) => a < e.end && e.start < b && (a < e.start || b > e.end));
}

/** Marks the placeholder client id written by an edit as a span a human must fill in. */
function markPlaceholder(edit: FileEdit): FileEdit {
  const at = edit.text.indexOf(PLACEHOLDER_CLIENT_ID);
  return at < 0 ? edit : { ...edit, placeholders: [{ offset: at, length: PLACEHOLDER_CLIENT_ID.length }] };
}
