import { isMap, isScalar, isSeq, parseDocument, visit, type Node, type Scalar, type YAMLMap } from 'yaml';
import { valueLines } from '../embedded';
import { readPowerShell } from './powershell';
import type { Dialect, ScriptCommand, ScriptModel } from './script';
import { readShell } from './shell';

/**
 * The script steps of CI pipelines, read as scripts: Azure Pipelines (`script`, `bash`, `pwsh`,
 * `powershell`, `AzureCLI@2` `inputs.inlineScript`), GitHub Actions (`run`, `azure/cli`
 * `with.inlineScript`) and GitLab CI (`script`, `before_script`, `after_script`). Each step's text
 * is read by the shell or PowerShell reader; its offsets are mapped back to the file through the
 * block scalar's lines, and a command any of whose offsets is not written as is (a folded block,
 * an escape in a quoted string) is left out.
 */
export function readPipeline(kind: string, text: string): ScriptModel {
  const doc = parseDocument(text, { uniqueKeys: false, strict: false });
  if (doc.errors.length > 0) return { commands: [] };
  const commands: ScriptCommand[] = [];
  for (const { scalar, dialect } of stepsOf(kind, doc.contents)) commands.push(...readStep(text, scalar, dialect));
  return { commands: commands.sort((a, b) => a.start - b.start) };
}

interface Step {
  scalar: Scalar;
  dialect: Dialect;
}

const str = (map: YAMLMap, key: string): string | undefined => {
  const v = map.get(key, true);
  return isScalar(v) && typeof v.value === 'string' ? v.value : undefined;
};

function stepsOf(kind: string, root: Node | null): Step[] {
  const steps: Step[] = [];
  const add = (node: unknown, dialect: Dialect) => {
    if (isScalar(node) && typeof node.value === 'string') steps.push({ scalar: node, dialect });
    else if (isSeq(node) && kind === 'gitlab-ci') for (const item of node.items) add(item, dialect);
  };
  visit(root, {
    Map(_, map) {
      if (kind === 'azure-pipelines') {
        add(map.get('script', true), 'sh');
        add(map.get('bash', true), 'sh');
        add(map.get('pwsh', true), 'pwsh');
        add(map.get('powershell', true), 'pwsh');
        const inputs = map.get('inputs', true);
        if (/^AzureCLI@\d+$/i.test(str(map, 'task') ?? '') && isMap(inputs)) {
          const type = (str(inputs, 'scriptType') ?? 'bash').toLowerCase();
          if (type === 'bash' || type === 'ps' || type === 'pscore') add(inputs.get('inlineScript', true), type === 'bash' ? 'sh' : 'pwsh');
        }
      } else if (kind === 'github-workflow') {
        const shell = (str(map, 'shell') ?? 'bash').toLowerCase();
        if (shell === 'bash' || shell === 'sh' || shell === 'pwsh' || shell === 'powershell') add(map.get('run', true), shell.startsWith('p') ? 'pwsh' : 'sh');
        const inputs = map.get('with', true);
        if (/^azure\/cli@/i.test(str(map, 'uses') ?? '') && isMap(inputs)) add(inputs.get('inlineScript', true), 'sh');
      } else if (kind === 'gitlab-ci') {
        for (const key of ['script', 'before_script', 'after_script']) add(map.get(key, true), 'sh');
      }
    },
  });
  return steps;
}

/** The commands of one step, at file offsets; those not written as is in the file are left out. */
function readStep(text: string, scalar: Scalar, dialect: Dialect): ScriptCommand[] {
  const value = scalar.value as string;
  if (!scalar.range) return [];
  const [start, end] = scalar.range;
  const lines = valueLines(text.slice(start, end), scalar.type, value);
  const toFile = (offset: number) => {
    const line = lines.find((l) => offset >= l.value && offset <= l.value + l.length);
    return line ? start + line.source + (offset - line.value) : undefined;
  };
  const model = dialect === 'sh' ? readShell(value) : readPowerShell(value);
  return model.commands.flatMap((cmd) => {
    const map = <T extends { start: number; end: number }>(r: T): T | undefined => {
      const s = toFile(r.start);
      const e = toFile(r.end);
      return s === undefined || e === undefined ? undefined : { ...r, start: s, end: e };
    };
    const words = cmd.words.map(map);
    const heredocs = cmd.heredocs.map(map);
    const whole = map(cmd);
    if (!whole || words.some((w) => !w) || heredocs.some((h) => !h)) return [];
    return [{ ...whole, words: words as ScriptCommand['words'], heredocs: heredocs as ScriptCommand['heredocs'] }];
  });
}
