import type { Node } from 'yaml';
import type { FileEdit } from './edits';
import type { FixSpec } from './fix';
import type { WorkspaceIndex } from './workspace';
import type { K8sObject, ManifestDoc, ManifestFile } from './model';

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export type SeveritySetting = Severity | 'off';

export interface RelatedLocation {
  file: string;
  start: number;
  end: number;
  message: string;
}

export interface Fix {
  /** What the quick fix says it does, in the context of its finding ("Use provider azure-workload"). */
  title: string;
  /**
   * What the fix does, said of the object it changes, so that a preview of many fixes can group
   * them: "<Verb> <Kind> <namespace>/<name>", the namespace as the index resolves it, e.g.
   * "Migrate Deployment orders/orders-api", "Remove AzureIdentityBinding orders/orders-binding".
   * An edit that creates or changes another object carries a label of its own (`FileEdit.label`).
   */
  label: string;
  /** Edits, possibly in several files (a ServiceAccount in another file, say). */
  edits: FileEdit[];
  /** True when the fix leaves a placeholder a human must fill in (never "preferred"). */
  needsInput?: boolean;
  /**
   * Keys of the objects the fix creates (`ServiceAccount/<ns>/<name>`). Fix-all applies one fix
   * per key in a pass; the next pass sees the object and the other fixes reuse it.
   */
  creates?: string[];
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  file: string;
  start: number;
  end: number;
  /** The usage is of deprecated pod identity (shown struck through in the editor). */
  deprecated?: boolean;
  related?: RelatedLocation[];
  fix?: Fix;
}

export interface Options {
  /** Namespace for objects that name none. */
  defaultNamespace: string;
  /** Per-rule severity overrides. */
  severities: Record<string, SeveritySetting>;
  /**
   * The migration fix of a pod also asks the workload identity webhook for its proxy sidecar
   * (containers that still get tokens from IMDS). The editor's second quick fix sets it.
   */
  proxySidecar?: boolean;
}

export const DEFAULT_OPTIONS: Options = { defaultNamespace: 'default', severities: {} };

/** What a report gives: a node (its range is used) or explicit file offsets. */
export interface Report {
  node?: Node | null;
  start?: number;
  end?: number;
  message: string;
  severity?: Severity;
  deprecated?: boolean;
  related?: RelatedLocation[];
  fix?: Fix;
}

export interface RuleContext {
  file: ManifestFile;
  doc: ManifestDoc;
  /** The document's objects whose kind the rule applies to. */
  objects: K8sObject[];
  index: WorkspaceIndex;
  options: Options;
  report(report: Report): void;
  /** Builds every fix a rule reports, from data (see `FixSpec`); undefined when it cannot be made safely. */
  fix(spec: FixSpec): Fix | undefined;
}

/** What every rule declares, whatever it reads. */
interface RuleMeta {
  id: string;
  /** One line, shown in the README table and the docs. */
  description: string;
  severity: Severity;
  /** The file kinds it reads (ids of `FILE_KINDS`): the engine runs it on files of these kinds only. */
  fileKinds: readonly string[];
  fixable: boolean;
}

/** A rule over the YAML documents of a file, parsed once for every rule. */
export interface Rule extends RuleMeta {
  input?: 'yaml';
  /** Kinds of objects the rule looks at; `['*']` for every document. */
  kinds: readonly string[];
  check(ctx: RuleContext): void;
}

/** What a text rule reports: file offsets, never a node. */
export type TextReport = Omit<Report, 'node' | 'start' | 'end'> & { start: number; end: number };

export interface TextRuleContext {
  path: string;
  /** The file's kind (an id of `FILE_KINDS`). */
  kind: string;
  /** The file's text, as it is (no YAML parser has read it). */
  text: string;
  index: WorkspaceIndex;
  options: Options;
  report(report: TextReport): void;
  /** Builds a fix from data, as `RuleContext.fix` does; undefined when it cannot be made safely. */
  fix(spec: FixSpec): Fix | undefined;
}

/** A rule over a file's text (a shell script, a pipeline file): the YAML parser never sees the file for it. */
export interface TextRule extends RuleMeta {
  input: 'text';
  check(ctx: TextRuleContext): void;
}

export type AnyRule = Rule | TextRule;
