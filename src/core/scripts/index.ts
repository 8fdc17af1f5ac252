import { readPipeline } from './pipelines';
import { readPowerShell } from './powershell';
import type { ScriptModel } from './script';
import { readShell } from './shell';

/** The file kinds read as scripts, and how (their globs are in core/fileKinds.ts). */
export const SCRIPT_KINDS = ['shell-script', 'powershell', 'azure-pipelines', 'github-workflow', 'gitlab-ci'] as const;

const READERS: Record<(typeof SCRIPT_KINDS)[number], (text: string) => ScriptModel> = {
  'shell-script': readShell,
  powershell: readPowerShell,
  'azure-pipelines': (text) => readPipeline('azure-pipelines', text),
  'github-workflow': (text) => readPipeline('github-workflow', text),
  'gitlab-ci': (text) => readPipeline('gitlab-ci', text),
};

// The index and every rule read the same text of a file: read once per kind and text.
const cache = new Map<string, { text: string; model: ScriptModel }>();

/** The commands of a script of one of `SCRIPT_KINDS`, read once per text; undefined for other kinds. */
export function scriptOf(kind: string, text: string): ScriptModel | undefined {
  const read = READERS[kind as (typeof SCRIPT_KINDS)[number]];
  if (!read) return undefined;
  const key = `${kind}\n${text.length}\n${text.slice(0, 64)}`;
  const hit = cache.get(key);
  if (hit?.text === text) return hit.model;
  const model = read(text);
  if (cache.size > 64) cache.delete(cache.keys().next().value!);
  cache.set(key, { text, model });
  return model;
}
