import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { Project } from '../core/engine';
import { reportSteps } from '../core/report';
import { runSteps } from '../core/steps';
import { collectFileKinds, UsageError } from './files';
import { locator, reportJson, reportMarkdown, REPORT_USAGE } from './report';
import type { CliResult } from './main';

/** `wi-migrate report`: reads the files as one workspace and prints the migration report. */
export function runReport(paths: readonly string[], format: string, defaultNamespace: string, cwd: string): CliResult {
  // `text` is `check`'s default format; for a report the text is Markdown.
  const kind = format === 'text' ? 'markdown' : format;
  if (kind !== 'markdown' && kind !== 'json') return { code: 2, stdout: '', stderr: `wi-migrate: --format must be markdown or json for report, not "${format}"\n${REPORT_USAGE}` };
  const project = new Project({ defaultNamespace });
  const display = (p: string) => (isAbsolute(p) ? relative(cwd, p) || p : p).split('\\').join('/');
  try {
    for (const { path: f, kind: fileKind } of collectFileKinds(paths.length ? paths : ['.'], cwd)) {
      let text: string;
      try {
        text = readFileSync(resolve(cwd, f), 'utf8');
      } catch (e) {
        throw new UsageError(`cannot read ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      project.set(f, text, undefined, fileKind);
    }
  } catch (e) {
    if (e instanceof UsageError) return { code: 2, stdout: '', stderr: `wi-migrate: ${e.message}\n` };
    throw e;
  }
  // eslint-disable-next-line require-yield -- the CLI has every finding at once
  const report = runSteps(reportSteps(project.index, function* (path) { return project.check(path); }));
  const locate = locator((p) => project.text(p), display);
  const stdout = kind === 'json' ? reportJson(report, locate) : reportMarkdown(report, locate);
  return { code: report.stillOnPodIdentity > 0 ? 1 : 0, stdout, stderr: '' };
}
