import { pickCompatible, type FileEdit, type LabelledEdit } from './edits';
import type { Fix } from './rule';

// How fix-all picks, in one pass, the fixes that can be applied together.

/** Each picked fix's edits, per file, each with its label (the edit's own, else the fix's). */
export function editsByFile(picked: readonly { edits: readonly FileEdit[]; label: string }[]): Map<string, LabelledEdit[]> {
  const byFile = new Map<string, LabelledEdit[]>();
  for (const fix of picked) {
    for (const e of fix.edits) {
      const labelled: LabelledEdit = { start: e.start, end: e.end, text: e.text, label: e.label ?? fix.label };
      const list = byFile.get(e.file);
      if (list) list.push(labelled);
      else byFile.set(e.file, [labelled]);
    }
  }
  return byFile;
}

/** Drops the fixes that would create an object an earlier fix of the list creates already. */
export function oneCreatorEach(fixes: readonly Fix[]): Fix[] {
  const created = new Set<string>();
  return fixes.filter((f) => {
    if (f.creates?.some((k) => created.has(k))) return false;
    f.creates?.forEach((k) => created.add(k));
    return true;
  });
}

/** Like `pickCompatible` over the fixes' edits, but edits only clash with edits of the same file. */
export function pickCompatibleAcrossFiles<F extends { edits: readonly FileEdit[] }>(fixes: readonly F[]): F[] {
  const files = [...new Set(fixes.flatMap((f) => f.edits.map((e) => e.file)))];
  // Each file gets its own band of offsets, so one-dimensional overlap means same-file overlap.
  const band = new Map(files.map((f, i) => [f, i * 2 ** 40]));
  const shifted = fixes.map((f) => f.edits.map((e) => ({ ...e, start: e.start + band.get(e.file)!, end: e.end + band.get(e.file)! })));
  return pickCompatible(shifted).map((i) => fixes[i]);
}
