import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from './invariants';
import type { Tree } from './repos';

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

const isKustomizationFile = (path: string) => KUSTOMIZATION_FILES.includes(posix.basename(path));

/** Every document of a YAML file as plain data; files that do not parse give nothing. */
function documentsOf(text: string): unknown[] {
  return parseAllDocuments(text)
    .filter((d) => d.errors.length === 0)
    .map((d) => d.toJS() as unknown)
    .filter((d) => d !== null && d !== undefined);
}

const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** The directories (relative, `''` for the root) that hold a kustomization file. */
function kustomizationDirs(tree: Tree): Map<string, string> {
  const dirs = new Map<string, string>();
  for (const path of tree.keys()) if (isKustomizationFile(path)) dirs.set(dirOf(path), path);
  return dirs;
}

const dirOf = (path: string) => (posix.dirname(path) === '.' ? '' : posix.dirname(path));

/** A path relative to a directory of the tree, normalised to the tree's root (`''` is the root). */
function resolveIn(dir: string, ref: string): string {
  const p = posix.normalize(posix.join(dir, ref.replace(/^\.\//, '')));
  return p === '.' ? '' : p.replace(/\/$/, '');
}

/** The directories Flux `Kustomization` objects (kustomize.toolkit.fluxcd.io) of the tree build, by `spec.path`. */
export function fluxPaths(tree: Tree): string[] {
  const out = new Set<string>();
  for (const [path, text] of tree) {
    if (!/\.ya?ml$/.test(path) || isKustomizationFile(path)) continue;
    for (const doc of documentsOf(text)) {
      const obj = record(doc);
      const spec = record(obj?.spec);
      if (String(obj?.apiVersion).startsWith('kustomize.toolkit.fluxcd.io/') && obj?.kind === 'Kustomization' && typeof spec?.path === 'string') {
        out.add(resolveIn('', spec.path));
      }
    }
  }
  return [...out].sort();
}

/**
 * The builds of a tree: each kustomization directory that no other kustomization of the tree lists
 * in `resources`, `bases` or `components`, and each directory a Flux `Kustomization` names in
 * `spec.path`. Sorted; `''` is the root.
 */
export function kustomizeLeaves(tree: Tree): string[] {
  const dirs = kustomizationDirs(tree);
  const referenced = new Set<string>();
  for (const [dir, file] of dirs) {
    for (const doc of documentsOf(tree.get(file)!)) {
      const k = record(doc);
      for (const key of ['resources', 'bases', 'components']) {
        const list = k?.[key];
        if (!Array.isArray(list)) continue;
        for (const ref of list) if (typeof ref === 'string' && !ref.includes('://')) referenced.add(resolveIn(dir, ref));
      }
    }
  }
  const leaves = new Set([...dirs.keys()].filter((d) => !referenced.has(d)));
  for (const p of fluxPaths(tree)) leaves.add(p);
  return [...leaves].sort();
}

/** Whether the tree holds any kustomization (kustomize's or Flux's). */
export function usesKustomize(tree: Tree): boolean {
  return kustomizationDirs(tree).size > 0 || fluxPaths(tree).length > 0;
}

/**
 * The kustomization Flux's kustomize-controller generates for a path that has none: every YAML file
 * under it that holds Kubernetes objects, and each subdirectory that has a kustomization of its own
 * (not descended into).
 */
export function fluxGeneratedKustomization(tree: Tree, dir: string): string {
  const dirs = kustomizationDirs(tree);
  const inside = (p: string) => dir === '' || p.startsWith(`${dir}/`);
  const resources = new Set<string>();
  for (const [path, text] of tree) {
    if (!inside(path) || !/\.ya?ml$/.test(path)) continue;
    const rel = dir === '' ? path : path.slice(dir.length + 1);
    // The nearest enclosing directory (below `dir`) with a kustomization stands for the file.
    const parts = rel.split('/');
    const owner = parts.slice(0, -1).findIndex((_, i) => dirs.has(posix.join(dir, ...parts.slice(0, i + 1))));
    if (owner >= 0) {
      resources.add(parts.slice(0, owner + 1).join('/'));
      continue;
    }
    const docs = documentsOf(text).map(record);
    if (docs.length > 0 && docs.every((d) => d && typeof d.apiVersion === 'string' && typeof d.kind === 'string')) resources.add(rel);
  }
  return ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', 'resources:', ...[...resources].sort().map((r) => `- ${r}`), ''].join('\n');
}

/** Whether `kubectl` is on the PATH (the kustomize checks need it). */
export function kubectlAvailable(): boolean {
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  return r.error === undefined && r.status === 0;
}

export type BuildResult = { ok: true; objects: K8sObject[] } | { ok: false; error: string };

/**
 * Builds `dir` of the tree written at `root` as Flux builds a path:
 * `kubectl kustomize --load-restrictor LoadRestrictionsNone DIR`. A Flux path without a
 * kustomization gets the one Flux would generate, written into `root` first (so `root` must be a
 * scratch copy).
 */
export function buildLeaf(root: string, tree: Tree, dir: string): BuildResult {
  if (![...KUSTOMIZATION_FILES].some((f) => tree.has(dir ? `${dir}/${f}` : f))) {
    mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, dir, 'kustomization.yaml'), fluxGeneratedKustomization(tree, dir));
  }
  try {
    const out = execFileSync('kubectl', ['kustomize', '--load-restrictor', 'LoadRestrictionsNone', dir || '.'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { ok: true, objects: documentsOf(out).map((d): K8sObject => record(d)!) };
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    // kubectl's deprecation warnings (patchesStrategicMerge, bases, vars) are not the error.
    const text = (err.stderr || err.message).split('\n').filter((l) => !l.startsWith('# Warning:'));
    return { ok: false, error: text.join('\n').trim() };
  }
}
