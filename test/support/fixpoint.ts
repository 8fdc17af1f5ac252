import { applyEdits } from '../../src/core/edits';
import type { Project } from '../../src/core/engine';
import { editsByFile, oneCreatorEach, pickCompatibleAcrossFiles } from '../../src/core/fixPasses';
import type { Fix } from '../../src/core/rule';

/**
 * Fix-all as it was before issue 10, kept as the reference the one-pass fix-all is compared with:
 * whole passes, each checking every file again from scratch and applying every fix that fits with
 * the others, until a pass changes nothing. `takes` picks the fixes (the editor's fix-all takes
 * those that stay in its file). Returns the changed and created files with their text.
 */
export function fixpoint(project: Project, paths: readonly string[] = project.paths, takes: (fix: Fix) => boolean = () => true): Map<string, string> {
  const original = new Map(paths.map((p) => [p, project.text(p)]));
  const existed = new Set(project.paths);
  for (;;) {
    const fixes = [...paths].sort().flatMap((p) => project.check(p)).flatMap((f) => (f.fix && takes(f.fix) ? [f.fix] : []));
    const byFile = editsByFile(pickCompatibleAcrossFiles(oneCreatorEach(fixes)));
    const texts = [...byFile].map(([path, edits]) => [path, applyEdits(project.text(path) ?? '', edits)] as const).filter(([path, text]) => text !== project.text(path));
    if (texts.length === 0) break;
    for (const [path, text] of texts) project.set(path, text);
  }
  const out = new Map<string, string>();
  for (const [path, before] of original) if (project.text(path) !== before) out.set(path, project.text(path)!);
  for (const path of project.paths) if (!existed.has(path)) out.set(path, project.text(path)!);
  return out;
}
