import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Project } from '../../src/core/engine';
import type { Finding } from '../../src/core/rule';
import { LineIndex } from '../../src/core/text';

export const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures');

const SOURCE = /^(?!.*\.fixed\.)(.*)\.(ya?ml|tpl|bicep|json|sh|bash|ps1)$/;
const MARKER = /(?:#|\/\/)\s*expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)/g;

/** A fixture workspace: every manifest of one directory under test/fixtures (recursively). */
export interface FixtureWorkspace {
  name: string;
  dir: string;
  files: Map<string, string>;
}

export function fixtureWorkspaces(): FixtureWorkspace[] {
  if (!existsSync(FIXTURES)) return [];
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => {
      const dir = join(FIXTURES, d.name);
      const files = new Map<string, string>();
      for (const rel of listFiles(dir)) if (SOURCE.test(rel)) files.set(rel, readFileSync(join(dir, rel), 'utf8'));
      return { name: d.name, dir, files };
    });
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(dir, join(prefix, e.name)) : [join(prefix, e.name)],
  );
}

/** Where `<case>.fixed.<ext>` would be for a source file. */
export function fixedPathOf(rel: string): string {
  return rel.replace(SOURCE, '$1.fixed.$2');
}

export function loadProject(files: Map<string, string>): Project {
  const project = new Project();
  for (const [path, text] of files) project.set(path, text);
  return project;
}

/** `line:rule` for every `# expect: rule` marker (1-based lines), sorted. */
export function expectedMarkers(text: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(MARKER)) for (const id of m[1].split(',')) out.push(`${i + 1}:${id.trim()}`);
  });
  return out.sort();
}

export function actualMarkers(text: string, findings: readonly Finding[]): string[] {
  const lines = new LineIndex(text);
  return findings.map((f) => `${lines.position(f.start).line + 1}:${f.ruleId}`).sort();
}
