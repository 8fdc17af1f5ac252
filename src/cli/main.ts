import { readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FixAllIncompleteError, Project } from '../core/engine';
import { clientIdsToRead } from '../core/addon-client-ids';
import { isOfKind } from '../core/fileKinds';
import { PLACEHOLDER_CLIENT_ID } from '../core/k8s';
import { collectFileKinds, UsageError } from './files';
import { formatJson, formatSarif, formatText, toCliFindings, type CliFinding } from './format';
import { version } from '../../package.json';
import { runReport } from './report-command';
import { REPORT_USAGE } from './report';

const USAGE = `Usage: wi-migrate check [paths...] [--format text|json|sarif] [--fix] [--default-namespace NS]
       wi-migrate cluster [paths...] [--context NAME] [--format text|json] [--azure]   (wi-migrate cluster --help)

Finds AAD Pod Identity in Kubernetes manifests and Helm templates (*.yaml, *.yml, and *.tpl in
a chart's templates/) and the workload identity set-ups that will not work. All files given form
one workspace, so a pod's label is followed to its binding and identity in other files.

  --format     text (default), json, or sarif (SARIF 2.1.0 for code scanning)
  --fix        rewrite the files in place with every safe fix, then report what is left
  --default-namespace  namespace of objects that name none (default: default)

Exit status: 0 nothing found, 1 findings remain, 2 bad usage or unreadable input.
`;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI on `argv` (without node and script); pure apart from reading and writing files. */
export function runCli(argv: readonly string[], cwd = process.cwd()): CliResult {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'text' },
        fix: { type: 'boolean', default: false },
        'default-namespace': { type: 'string', default: 'default' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', default: false },
      },
    });
  } catch (e) {
    return { code: 2, stdout: '', stderr: `wi-migrate: ${(e as Error).message}\n${USAGE}` };
  }
  const { values, positionals } = args;
  if (values.help) return { code: 0, stdout: `${USAGE}\n${REPORT_USAGE}`, stderr: '' };
  if (values.version) return { code: 0, stdout: `${version}\n`, stderr: '' };
  const [command, ...paths] = positionals;
  if (command === 'report') return runReport(paths, values.format, values['default-namespace'], cwd);
  if (command !== 'check') {
    return { code: 2, stdout: '', stderr: `wi-migrate: ${command ? `unknown command "${command}"` : 'missing command'}\n${USAGE}` };
  }
  const format = values.format;
  if (format !== 'text' && format !== 'json' && format !== 'sarif') {
    return { code: 2, stdout: '', stderr: `wi-migrate: --format must be text, json or sarif, not "${format}"\n` };
  }

  const project = new Project({ defaultNamespace: values['default-namespace'] });
  // Files are keyed by their path as given (relative to `cwd`), and read and written through `cwd`.
  const display = (p: string) => (isAbsolute(p) ? relative(cwd, p) || p : p);
  const onDisk = (p: string) => resolve(cwd, p);
  try {
    const files = collectFileKinds(paths.length ? paths : ['.'], cwd);
    // Read everything before writing anything: unreadable input changes nothing.
    const texts = files.map(({ path, kind }) => {
      try {
        return { path, kind, text: readFileSync(onDisk(path), 'utf8') };
      } catch (e) {
        throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    });
    // A JSON file that is no ARM template is not ours.
    for (const { path, kind, text } of texts) if (isOfKind(kind, text)) project.set(path, text, undefined, kind);
  } catch (e) {
    if (e instanceof UsageError) return { code: 2, stdout: '', stderr: `wi-migrate: ${e.message}\n` };
    throw e;
  }

  // Read before a fix moves the pods off their labels.
  const toRead = clientIdsToRead(project.index);
  let log = '';
  let warning = '';
  if (values.fix) {
    let changed: Map<string, string>;
    try {
      changed = project.fixAll();
    } catch (e) {
      if (!(e instanceof FixAllIncompleteError)) throw e;
      // Whole fixes only, so what was done is sound: write it, and say that it is not all.
      changed = e.changed;
      warning = `wi-migrate: ${e.message}\n`;
    }
    for (const [path, text] of changed) {
      writeFileSync(onDisk(path), text);
      log += `fixed ${display(path)}\n`;
    }
    if (changed.size === 0) log += 'nothing to fix\n';
  }

  const findings: CliFinding[] = project.paths.flatMap((p) => toCliFindings(display(p), project.text(p) ?? '', project.check(p)));
  const body = format === 'json' ? formatJson(findings) : format === 'sarif' ? formatSarif(findings, version) : formatText(findings);
  const clientIds = toRead.length
    ? `Client ids to read from Azure (the add-on's pod identities name their managed identities by resource id only; the migration writes ${PLACEHOLDER_CLIENT_ID} until filled in):\n` +
      toRead.map((r) => `  ${r.command}   # pod identity ${r.name} (${display(r.file)})\n`).join('')
    : '';
  // Machine-readable output stays alone on stdout; what --fix wrote goes to stderr then.
  return format === 'text'
    ? { code: findings.length ? 1 : 0, stdout: log + body + clientIds, stderr: warning }
    : { code: findings.length ? 1 : 0, stdout: body, stderr: log + clientIds + warning };
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  // `cluster` reads a cluster over the network (src/cluster, loaded only for it); the rest is synchronous.
  const pending = argv[0] === 'cluster' ? import('./cluster').then((m) => m.runClusterCli(argv.slice(1))) : Promise.resolve(runCli(argv));
  void pending.then((result) => {
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    process.exitCode = result.code;
  });
}
