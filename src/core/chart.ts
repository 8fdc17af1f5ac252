import { isMap, isScalar, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { pairOf, scalarString } from './k8s';
import type { ManifestDoc, ManifestFile } from './model';

/**
 * A Helm chart as one unit: the directory that holds `Chart.yaml`, its `values.yaml`, the
 * `values-*.yaml` files beside it, and its `templates/`. Nothing is read from disk: the files are
 * the workspace's (`ChartFiles`, which the index and the project both are). A template's
 * `.Values.a.b` references are resolved against those values, so a templated label or identity
 * is followed to the value the chart gives it.
 */

/** The files the chart model reads. */
export interface ChartFiles {
  readonly paths: string[];
  file(path: string): ManifestFile | undefined;
}

export interface Chart {
  /** The chart's directory, spelled as the workspace's paths spell it (no trailing separator; `''` for the current one). */
  root: string;
  /** `root` as the start of the paths inside it. */
  prefix: string;
  /** Its name in `Chart.yaml`, else its directory's. */
  name: string;
  values: ManifestFile | undefined;
  /** `values-*.yaml` beside `values.yaml`: the files a release may add with `-f`. */
  overrides: ManifestFile[];
  /** The chart whose `charts/` holds this one (an umbrella chart): its values under `name` win. */
  parent: Chart | undefined;
  /** Every file under `templates/` (helpers included), for "does anything else read this value". */
  templates: ManifestFile[];
}

/** Where a values file sets a value: the scalar (or other node) and the maps that lead to it. */
export interface ValueAt {
  file: ManifestFile;
  doc: ManifestDoc;
  pair: Pair<Scalar, Node | null>;
  /** The maps from the document's root down to the one that holds `pair`. */
  maps: YAMLMap[];
  /** The value as a string; undefined when it is not a scalar (a map, a list) or null. */
  value: string | undefined;
}

/** What `.Values.<path>` gives in a chart. */
export type ValueLookup =
  /** `value` undefined: set nowhere (or null/empty); `sources`: every values file that sets it, the winner first. */
  | { kind: 'value'; value: string | undefined; sources: ValueAt[] }
  /** Values files beside each other set different values: each is a release of its own. */
  | { kind: 'conflict'; sources: ValueAt[] };

const SEPARATOR = /[\\/]/;

/** The folder of a path, `''` for a bare relative name; undefined above the top. */
function dirOf(path: string): { dir: string; sep: string } | undefined {
  if (path === '') return undefined;
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut < 0 ? { dir: '', sep: '/' } : { dir: path.slice(0, cut), sep: path[cut] };
}

/** `dir` as the start of the paths inside it. */
function prefixOf(dir: string, sep: string): string {
  return dir === '' ? '' : dir + sep;
}

function baseName(path: string): string {
  return path.split(SEPARATOR).pop() ?? path;
}

/**
 * The chart a file belongs to: the nearest folder above it that holds `Chart.yaml`. A subchart
 * (`charts/<name>/`) is a chart of its own, so its templates never resolve against the parent's
 * values by mistake; undefined when the file is in no chart.
 */
export function chartOf(files: ChartFiles, path: string, cache?: Map<string, Chart>): Chart | undefined {
  for (let at = dirOf(path); at; at = dirOf(at.dir)) {
    const chartFile = files.file(`${prefixOf(at.dir, at.sep)}Chart.yaml`);
    if (!chartFile) continue;
    const chart = cache?.get(at.dir) ?? chartAt(files, at.dir, at.sep, chartFile);
    cache?.set(at.dir, chart);
    return chart;
  }
  return undefined;
}

/** True when `path` is one of the chart's templates (not its values, not a subchart's file). */
export function isTemplateOf(chart: Chart, path: string): boolean {
  return path.startsWith(`${chart.prefix}templates`) && SEPARATOR.test(path[chart.prefix.length + 'templates'.length] ?? '');
}

function chartAt(files: ChartFiles, root: string, sep: string, chartFile: ManifestFile): Chart {
  const prefix = prefixOf(root, sep);
  const inRoot = files.paths.filter((p) => p.startsWith(prefix) && !SEPARATOR.test(p.slice(prefix.length)));
  const named = (re: RegExp) => inRoot.filter((p) => re.test(baseName(p))).sort().flatMap((p) => files.file(p) ?? []);
  const templates = files.paths.filter((p) => p.startsWith(`${prefix}templates${sep}`)).flatMap((p) => files.file(p) ?? []);
  const root0 = chartFile.docs[0]?.yaml.contents;
  const name = (isMap(root0) ? scalarString(root0.get('name', true)) : undefined) ?? baseName(root);
  const up = dirOf(root);
  const parentDir = up && baseName(up.dir) === 'charts' ? dirOf(up.dir) : undefined;
  const parentFile = parentDir && files.file(`${prefixOf(parentDir.dir, sep)}Chart.yaml`);
  return {
    root,
    prefix,
    name,
    values: named(/^values\.ya?ml$/)[0],
    overrides: named(/^values-.+\.ya?ml$/),
    parent: parentDir && parentFile ? chartAt(files, parentDir.dir, sep, parentFile) : undefined,
    templates,
  };
}

/** A values file in messages: its chart's folder and its name ("orders/values.yaml"). */
export function valuesFileName(file: ManifestFile): string {
  return file.path.split(SEPARATOR).slice(-2).join('/');
}

/** Where one values file sets `path` (keys through maps only), if it does. */
export function valueAt(file: ManifestFile, path: readonly string[]): ValueAt | undefined {
  const doc = file.docs.find((d) => d.errors.length === 0 && isMap(d.yaml.contents));
  if (!doc || path.length === 0) return undefined;
  const maps: YAMLMap[] = [];
  let map = doc.yaml.contents as YAMLMap;
  for (let i = 0; ; i++) {
    maps.push(map);
    const pair = pairOf(map, path[i]);
    if (!pair) return undefined;
    if (i === path.length - 1) return { file, doc, pair, maps, value: isScalar(pair.value) ? scalarString(pair.value) : undefined };
    if (!isMap(pair.value)) return undefined;
    map = pair.value;
  }
}

/**
 * `.Values.<path>` of a chart: set in `values.yaml`, or in a `values-*.yaml` beside it. When the
 * files that set it agree (one of them sets it, or all to the same value) that is the value; when
 * they differ, each is another release and no one value is the chart's. A parent chart's values
 * under the subchart's name win over the subchart's own.
 */
export function lookupValue(chart: Chart, path: readonly string[]): ValueLookup {
  if (chart.parent) {
    const above = lookupValue(chart.parent, [chart.name, ...path]);
    if (above.kind === 'conflict' || above.value !== undefined) return above;
  }
  const sources = [chart.values, ...chart.overrides].flatMap((f) => (f ? (valueAt(f, path) ?? []) : []));
  const set = sources.filter((s) => s.value !== undefined && s.value !== '');
  const distinct = new Set(set.map((s) => s.value));
  if (distinct.size > 1) return { kind: 'conflict', sources: set };
  return { kind: 'value', value: set[0]?.value, sources: set.length ? set : sources };
}

/** A `.Values` reference as one template action writes it: `{{ .Values.a.b | default "x" | quote }}`. */
export interface ValueRef {
  path: string[];
  /** The literal of `default "x"`, used when the value is unset or empty. */
  fallback: string | undefined;
}

const STRING = /^"((?:[^"\\]|\\.)*)"$/;
const VALUES_PATH = /^\$?\.Values((?:\.[A-Za-z_][\w-]*)+)$/;
/** Functions that do not change what a string value reads as. */
const NEUTRAL = new Set(['quote', 'squote', 'toString']);

/**
 * The `.Values` reference an action renders, when it renders nothing else: a path, piped through
 * `quote`, `squote`, `toString` or `default "literal"` (in either of Helm's spellings). Undefined
 * for anything else (`include`, `.Release.Name`, `index`, a variable).
 */
export function valueRefOf(action: string): ValueRef | undefined {
  const body = /^\{\{-?\s*([\s\S]*?)\s*-?\}\}$/.exec(action)?.[1];
  if (body === undefined) return undefined;
  let ref: ValueRef | undefined;
  for (const stage of body.split('|').map((s) => s.trim().split(/\s+/))) {
    const [fn, ...args] = stage;
    const path = (word: string | undefined) => (word !== undefined ? VALUES_PATH.exec(word)?.[1]?.slice(1).split('.') : undefined);
    const literal = (word: string | undefined) => (word !== undefined ? STRING.exec(word)?.[1] : undefined);
    if (!ref) {
      const direct = path(fn);
      if (direct && args.length === 0) ref = { path: direct, fallback: undefined };
      else if (NEUTRAL.has(fn) && args.length === 1 && path(args[0])) ref = { path: path(args[0])!, fallback: undefined };
      else if (fn === 'default' && args.length === 2 && literal(args[0]) !== undefined && path(args[1])) ref = { path: path(args[1])!, fallback: literal(args[0]) };
      else return undefined;
    } else if (fn === 'default' && args.length === 1 && literal(args[0]) !== undefined) {
      ref = { ...ref, fallback: literal(args[0]) };
    } else if (!NEUTRAL.has(fn) || args.length > 0) return undefined;
  }
  return ref;
}

/** What a templated scalar renders to in its chart, with the values that gave it. */
export type Rendered = RenderedValue | { problem: string };

export interface RenderedValue {
  value: string;
  /** Each action's reference and what it gave (a fallback when `lookup.value` is unset). */
  refs: Array<{ ref: ValueRef; lookup: ValueLookup & { kind: 'value' } }>;
}

const ACTION = /\{\{[\s\S]*?\}\}/g;

/**
 * Renders the real text of a templated scalar (its quotes removed) with the chart's values: each
 * action must be a `.Values` reference (`valueRefOf`) whose value is set, or has a default.
 */
export function renderScalar(chart: Chart, text: string): Rendered {
  const refs: Array<{ ref: ValueRef; lookup: ValueLookup & { kind: 'value' } }> = [];
  let problem: string | undefined;
  const value = text.replace(ACTION, (action) => {
    const ref = valueRefOf(action);
    if (!ref) return (problem ??= `${action} is not a plain .Values reference`), '';
    const lookup = lookupValue(chart, ref.path);
    const key = `.Values.${ref.path.join('.')}`;
    if (lookup.kind === 'conflict') {
      const each = lookup.sources.map((s) => `${valuesFileName(s.file)} sets "${s.value ?? ''}"`).join(', ');
      return (problem ??= `${key} differs between the chart's values files (${each}): each is a release of its own`), '';
    }
    refs.push({ ref, lookup });
    const rendered = lookup.value ?? ref.fallback;
    if (rendered === undefined || rendered === '') return (problem ??= `${key} is not set in the chart's values`), '';
    return rendered;
  });
  return problem !== undefined ? { problem } : { value, refs };
}

/** Where the value of a rendered reference comes from, for messages ("orders/values.yaml"). */
export function renderedFrom(rendered: Rendered): string {
  if ('problem' in rendered) return '';
  const files = [...new Set(rendered.refs.flatMap((r) => r.lookup.sources.map((s) => valuesFileName(s.file))))];
  return files.length ? files.join(', ') : 'its default';
}

/**
 * Renders the fields of index facts that template actions wrote (`templated`: field to real text)
 * with the values of the fact's chart: a chart's binding selector, identity name or client id then
 * reads as the value the chart gives it. A field that does not render (no chart, not a template of
 * it, an action that is no `.Values` reference, values that disagree) stays unknown.
 */
export function renderTemplatedFields(files: ChartFiles): <T extends { file: string; templated?: Record<string, string> }>(fact: T) => T {
  const charts = new Map<string, Chart>();
  return (fact) => {
    const fields = Object.entries(fact.templated ?? {});
    const chart = fields.length ? chartOf(files, fact.file, charts) : undefined;
    if (!chart || !isTemplateOf(chart, fact.file)) return fact;
    const out: Record<string, unknown> = { ...fact };
    for (const [field, text] of fields) {
      const rendered = renderScalar(chart, text);
      if ('value' in rendered) out[field] = rendered.value;
    }
    return out as typeof fact;
  };
}
