import type { AddonPodIdentity, AddonPodIdentityException } from '../addon';
import { isCommand, optionsOf, type Options, type ScriptCommand, type ScriptModel, type Word } from './script';

/**
 * The commands of a script that set up the AKS-managed pod identity add-on, each with the options
 * it was given: what the script rules flag and fix, and what the index learns from.
 */
export type PodIdentityCommand =
  | { kind: 'add' | 'delete' | 'exception add' | 'exception update' | 'exception delete'; cmd: ScriptCommand; options: Options }
  /** `az aks create|update` with `--enable-pod-identity` (the flag's word, and `--enable-pod-identity-with-kubenet`'s). */
  | { kind: 'enable'; cmd: ScriptCommand; options: Options; flag: Word; kubenet?: Word }
  /** `az feature register --name EnablePodIdentityPreview`. */
  | { kind: 'feature'; cmd: ScriptCommand; options: Options }
  /** `kubectl apply|create -f` (files named by their words, or here-documents). */
  | { kind: 'apply'; cmd: ScriptCommand; options: Options; files: Word[]; stdin: boolean };

export const POD_IDENTITY_FEATURE = 'EnablePodIdentityPreview';

export function podIdentityCommandsOf(model: ScriptModel): PodIdentityCommand[] {
  return model.commands.flatMap((cmd): PodIdentityCommand[] => {
    if (isCommand(cmd, 'az', 'aks', 'pod-identity', 'exception')) {
      const verb = cmd.words[4]?.value;
      return verb === 'add' || verb === 'update' || verb === 'delete' ? [{ kind: `exception ${verb}`, cmd, options: optionsOf(cmd, 5) }] : [];
    }
    if (isCommand(cmd, 'az', 'aks', 'pod-identity', 'add')) return [{ kind: 'add', cmd, options: optionsOf(cmd, 4) }];
    if (isCommand(cmd, 'az', 'aks', 'pod-identity', 'delete')) return [{ kind: 'delete', cmd, options: optionsOf(cmd, 4) }];
    if (isCommand(cmd, 'az', 'aks', 'create') || isCommand(cmd, 'az', 'aks', 'update')) {
      const options = optionsOf(cmd, 3);
      const flag = cmd.words.find((w) => w.value === '--enable-pod-identity');
      const kubenet = cmd.words.find((w) => w.value === '--enable-pod-identity-with-kubenet');
      return flag ? [{ kind: 'enable', cmd, options, flag, ...(kubenet ? { kubenet } : {}) }] : [];
    }
    if (isCommand(cmd, 'az', 'feature', 'register')) {
      const options = optionsOf(cmd, 3);
      return options.get('--name', '-n')?.value === POD_IDENTITY_FEATURE ? [{ kind: 'feature', cmd, options }] : [];
    }
    if (isCommand(cmd, 'kubectl', 'apply') || isCommand(cmd, 'kubectl', 'create')) {
      const options = optionsOf(cmd, 2);
      const files: Word[] = [];
      let stdin = false;
      cmd.words.forEach((w, i) => {
        const next = cmd.words[i + 1];
        if ((w.value === '-f' || w.value === '--filename') && next) {
          if (next.value === '-') stdin = true;
          else files.push(next);
        } else if (w.value?.startsWith('--filename=')) files.push({ ...w, start: w.start + 11, text: w.text.slice(11), value: w.value.slice(11) });
      });
      return files.length || stdin ? [{ kind: 'apply', cmd, options, files, stdin }] : [];
    }
    return [];
  });
}

/** The cluster a command names (`--resource-group`/`-g`, `--cluster-name`). */
function clusterOf(options: Options, nameOption: string[]): AddonPodIdentity['cluster'] {
  const resourceGroup = options.get('--resource-group', '-g')?.value;
  const name = options.get(...nameOption)?.value;
  return resourceGroup !== undefined || name !== undefined ? { ...(resourceGroup !== undefined ? { resourceGroup } : {}), ...(name !== undefined ? { name } : {}) } : undefined;
}

/** What the script declares to the add-on: its `pod-identity add` and `exception add|update` commands. */
export function addonDeclarationsOf(model: ScriptModel): { identities: AddonPodIdentity[]; exceptions: AddonPodIdentityException[] } {
  const identities: AddonPodIdentity[] = [];
  const exceptions: AddonPodIdentityException[] = [];
  for (const c of podIdentityCommandsOf(model)) {
    const field = (...names: string[]) => c.options.get(...names)?.value;
    const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
    if (c.kind === 'add') {
      identities.push(
        defined({
          name: field('--name', '-n'),
          namespace: field('--namespace'),
          bindingSelector: field('--binding-selector'),
          resourceId: field('--identity-resource-id'),
          cluster: clusterOf(c.options, ['--cluster-name']),
          start: c.cmd.start,
          end: c.cmd.end,
        }),
      );
    } else if (c.kind === 'exception add' || c.kind === 'exception update') {
      const labels = c.options.get('--pod-labels');
      exceptions.push(defined({ name: field('--name', '-n'), namespace: field('--namespace'), podLabels: labels?.value !== undefined ? podLabelsOf(labels.value) : undefined, start: c.cmd.start, end: c.cmd.end }));
    }
  }
  return { identities, exceptions };
}

/** `--pod-labels a=b c=d` is given as one word per pair in the CLI; a single `a=b` word reads here. */
function podLabelsOf(value: string): Record<string, string> | undefined {
  const pairs = value.split(/\s+/).filter(Boolean).map((p) => p.split('='));
  return pairs.every((p) => p.length === 2) ? Object.fromEntries(pairs.map(([k, v]): [string, string] => [k, v])) : undefined;
}
