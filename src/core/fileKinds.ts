
/**
 * Which files are ours, and how each is read: the one registry of file kinds. The CLI's directory
 * walk, the editor's workspace index and document selector, and package.json's activation events
 * (written by `npm run generate`, checked by a meta-test) all derive from it and from the kinds
 * the rules read (`ourFileKinds`).
 */

/** `yaml`: split into documents and parsed, Helm actions masked. `text`: given to text rules as it is. */
export type FileSyntax = 'yaml' | 'text';

export interface FileKind {
  id: string;
  description: string;
  syntax: FileSyntax;
  /**
   * Where files of this kind are, as one glob over `/`-separated paths (`**`, `*`, `{a,b}`), in
   * the syntax of VS Code's globs, which read it as it is.
   */
  glob: string;
  /** Language ids of editor documents of this kind whose path names no kind (an untitled YAML file). */
  languages?: readonly string[];
  /**
   * The path alone makes an editor document of this kind, whatever its language: a `.tpl` is plain
   * text without a Helm extension. Other kinds need a language of ours too: VS Code gives a
   * `compose.yaml` a language of its own, and it is no manifest.
   */
  pathDecides?: boolean;
  /**
   * Globs of `workspaceContains` activation when the kind's own glob finds too much to activate on
   * (every `*.json` of a workspace): the names files of the kind are usually given.
   */
  activation?: readonly string[];
  /**
   * A file the glob finds is of this kind only when its text matches (searched, never parsed):
   * which JSON file is an ARM template is in its `$schema`, not its name.
   */
  content?: RegExp;
  /**
   * Only the bodies of the file's `{{ define }}` blocks are read, each as a document: Helm renders
   * nothing else of a chart's helper file, only what it defines, where a template includes it.
   */
  defines?: boolean;
}

/**
 * The kinds, most specific first: a file is of the first kind whose glob matches its path. A `.tpl`
 * is a Helm file only in a chart's templates/ (where Helm reads it); elsewhere it is not ours.
 */
export const FILE_KINDS: readonly FileKind[] = [
  // Scripts and CI pipelines: read as text by the script readers (core/scripts/), never as manifests.
  {
    id: 'shell-script',
    description: 'A shell script (`*.sh`, `*.bash`).',
    syntax: 'text',
    glob: '**/*.{sh,bash}',
    pathDecides: true,
  },
  {
    id: 'powershell',
    description: 'A PowerShell script (`*.ps1`).',
    syntax: 'text',
    glob: '**/*.ps1',
    pathDecides: true,
  },
  {
    id: 'azure-pipelines',
    description: 'An Azure Pipelines definition (`azure-pipelines.yml`, `azure-pipelines-*.yml`).',
    syntax: 'text',
    glob: '**/{azure-pipelines,azure-pipelines-*,azure-pipelines.*}.{yml,yaml}',
    pathDecides: true,
  },
  {
    id: 'github-workflow',
    description: 'A GitHub Actions workflow (`.github/workflows/*.yml`).',
    syntax: 'text',
    glob: '**/.github/workflows/*.{yml,yaml}',
    pathDecides: true,
  },
  {
    id: 'gitlab-ci',
    description: 'A GitLab CI definition (`.gitlab-ci.yml`).',
    syntax: 'text',
    glob: '**/.gitlab-ci.{yml,yaml}',
    pathDecides: true,
  },
  {
    id: 'helm-helper',
    description: 'A Helm partial (`templates/_*.tpl`): named templates that Helm never renders on their own.',
    syntax: 'yaml',
    glob: '**/templates/**/_*.{tpl,yaml,yml}',
    pathDecides: true,
    defines: true,
  },
  {
    id: 'helm-template',
    description: 'A Helm template of a chart (`templates/**/*.yaml`, `templates/**/*.tpl`).',
    syntax: 'yaml',
    glob: '**/templates/**/*.{yaml,yml,tpl}',
    languages: ['helm'],
    pathDecides: true,
  },
  {
    id: 'kustomization',
    description: 'A kustomize `kustomization.yaml` (or `kustomization.yml`, `Kustomization`).',
    syntax: 'yaml',
    glob: '**/{kustomization.yaml,kustomization.yml,Kustomization}',
  },
  {
    id: 'chart-values',
    description: 'Helm chart values named as charts and their users name them (`values.yaml`, `values-prod.yaml`).',
    syntax: 'yaml',
    glob: '**/{values,values-*,values.*}.{yaml,yml}',
  },
  {
    id: 'bicep',
    description: 'A Bicep file (`*.bicep`): read as text by a strict reader of its declarations and object literals.',
    syntax: 'text',
    glob: '**/*.bicep',
    languages: ['bicep'],
    pathDecides: true,
  },
  {
    // Which JSON file is an ARM template is in its text, not its name: a file is of this kind when
    // it names a deploymentTemplate `$schema` (a search of the text, no parse); other JSON files
    // are not ours. Activation takes the names templates are usually given and the ARM Tools
    // extension's language, never every JSON document (`onLanguage:json`).
    id: 'arm-template',
    description: 'An ARM template: a `*.json` file whose `$schema` is a deployment template schema (`azuredeploy.json`, `main.json`, …).',
    syntax: 'text',
    glob: '**/*.json',
    languages: ['arm-template'],
    pathDecides: true,
    activation: ['**/{azuredeploy*,main,template,*.template,*.deploy}.json'],
    content: /deploymentTemplate\.json#/i,
  },
  {
    id: 'manifest',
    description: 'Any other YAML file: Kubernetes manifests, and values files of any name.',
    syntax: 'yaml',
    glob: '**/*.{yaml,yml}',
    languages: ['yaml'],
  },
];

/** Every YAML kind: what a rule reads that looks at YAML wherever it is written. */
export const YAML_FILE_KINDS: readonly string[] = FILE_KINDS.filter((k) => k.syntax === 'yaml').map((k) => k.id);

/** The kind of a file named by a path not in the registry (given on the command line, or by the include setting). */
export const MANIFEST_KIND: FileKind = FILE_KINDS.find((k) => k.id === 'manifest')!;

const matchers = new WeakMap<FileKind, RegExp>();

/** The kind of the file at `path` (a path or a URI string, `/` or `\` separated), if any. */
export function fileKindOf(path: string, kinds: readonly FileKind[] = FILE_KINDS): FileKind | undefined {
  const normal = path.replace(/\\/g, '/');
  // The file's name is tested first, against the glob's last segment: the whole path only for
  // the kinds whose names it can have (a CLI walk asks for every file of a tree).
  const name = normal.slice(normal.lastIndexOf('/') + 1);
  return kinds.find((kind) => nameMatcherOf(kind)?.test(name) !== false && matcherOf(kind).test(normal));
}

const nameMatchers = new WeakMap<FileKind, RegExp | null>();

/** The glob's last segment as a regular expression over a file name; null when that segment is no name pattern (`**`, a `/` in braces). */
function nameMatcherOf(kind: FileKind): RegExp | null {
  let matcher = nameMatchers.get(kind);
  if (matcher === undefined) {
    const cut = kind.glob.lastIndexOf('/');
    const last = kind.glob.slice(cut + 1);
    const inBraces = kind.glob.lastIndexOf('{', cut) > kind.glob.lastIndexOf('}', cut);
    matcher = last.includes('**') || inBraces ? null : globToRegExp(last);
    nameMatchers.set(kind, matcher);
  }
  return matcher;
}

/**
 * Whether a file of `kind` with this text is of the kind (see `FileKind.content`). The text may be
 * given as a function: it is read only for a kind with a content test (an editor document's text
 * is a copy of the whole document, not to be made on every keystroke for nothing).
 */
export function isOfKind(kind: FileKind, text: string | (() => string)): boolean {
  return kind.content === undefined || kind.content.test(typeof text === 'string' ? text : text());
}

/**
 * The kind of an editor document: its path's if the path decides, or if its language is one of
 * ours; else its language's, unless the path ends in an extension the registry names (a `.tpl`
 * outside templates/ is no Helm template, whatever its language).
 */
export function documentKindOf(path: string, languageId: string, kinds: readonly FileKind[] = FILE_KINDS): FileKind | undefined {
  const byPath = fileKindOf(path, kinds);
  if (byPath?.pathDecides) return byPath;
  const byLanguage = kinds.find((k) => k.languages?.includes(languageId));
  if (!byLanguage || byPath) return byLanguage && byPath;
  const extension = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  return extension && kinds.some((k) => extensionsOf(k.glob).includes(extension)) ? undefined : byLanguage;
}

/** The kinds that some rule reads: the files that are ours. */
export function ourFileKinds(rules: ReadonlyArray<{ fileKinds: readonly string[] }>, kinds: readonly FileKind[] = FILE_KINDS): FileKind[] {
  const read = new Set(rules.flatMap((r) => r.fileKinds));
  return kinds.filter((k) => read.has(k.id));
}

/**
 * Globs that find every file of the given kinds, as few as can be: one over their extensions (a
 * search or a watcher each costs a walk of the workspace), and the globs of kinds without one.
 * They find more than the kinds (a `.tpl` outside templates/): filter what they find with `fileKindOf`.
 */
export function searchGlobs(kinds: readonly FileKind[]): string[] {
  const extensions = [...new Set(kinds.flatMap((k) => extensionsOf(k.glob)))];
  const rest = kinds.filter((k) => extensionsOf(k.glob).length === 0).map((k) => k.glob);
  return [...(extensions.length ? [`**/*.{${extensions.join(',')}}`] : []), ...rest];
}

/** package.json's activation events: a workspace with a file of ours, a document in a language of ours. */
export function activationEvents(kinds: readonly FileKind[]): string[] {
  return [...new Set(kinds.flatMap((k) => k.languages ?? []))].map((l) => `onLanguage:${l}`).concat(kinds.flatMap((k) => (k.activation ?? [k.glob]).map((glob) => `workspaceContains:${glob}`)));
}

function matcherOf(kind: FileKind): RegExp {
  let matcher = matchers.get(kind);
  if (!matcher) matchers.set(kind, (matcher = globToRegExp(kind.glob)));
  return matcher;
}

/**
 * A glob as a regular expression over a whole `/`-separated path or URI, as VS Code reads globs
 * (`**` any folders, none included; `*` within a name; `{a,b}` either). Case-insensitive:
 * `DEPLOY.YAML` is YAML on every system.
 */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${globSource(glob)}$`, 'i');
}

/** The regular expression source of a glob; syntax beyond `**`, `*`, `?` and `{a,b}` throws. */
function globSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (glob.slice(i) === '/**') {
      out += '(?:/.*)?';
      break;
    } else if (glob.startsWith('**/', i)) {
      out += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      out += '.*';
      i += 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '{' && /^\{[^{}[\]]*\}/.test(glob.slice(i))) {
      const end = glob.indexOf('}', i);
      out += `(?:${glob.slice(i + 1, end).split(',').map(globSource).join('|')})`;
      i = end;
    } else if ('{}[]'.includes(c)) throw new Error(`Unsupported glob syntax "${c}" in ${glob}.`);
    else out += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return out;
}

/** The file extensions a glob ends with (`**\/*.{yaml,yml}`: yaml, yml). */
function extensionsOf(glob: string): string[] {
  const m = /\.(\{[^{}]*\}|[^./{}*]+)$/.exec(glob);
  if (!m) return [];
  return m[1].replace(/^\{|\}$/g, '').split(',').map((e) => e.toLowerCase());
}
