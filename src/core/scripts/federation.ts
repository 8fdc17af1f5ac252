import { dns1123 } from '../k8s';
import type { WorkspaceIndex } from '../workspace';
import type { Dialect, ScriptCommand, Word } from './script';

/** The audience of every AKS federated credential (the webhook's default). */
export const TOKEN_AUDIENCE = 'api://AzureADTokenExchange';

/**
 * The service account the workload migration gives the pods this pod identity selects in its
 * namespace: the account a pod names (other than `default`), else one named after the label value
 * (pod-identity-migration's choice). Undefined when the pods disagree, or when no pod is found and
 * no account of that name exists.
 */
export function migratedAccount(index: WorkspaceIndex, selector: string, namespace: string): { name?: string; problem?: string } {
  const pods = index.podsWithBindingLabel(selector).filter((p) => p.namespace === namespace);
  const names = new Set(pods.map((p) => (p.serviceAccountName && p.serviceAccountName !== 'default' ? p.serviceAccountName : dns1123(selector))));
  if (names.size === 1) return { name: [...names][0] };
  if (names.size > 1) return { problem: `the pods it selects run as different service accounts (${[...names].sort().join(', ')}): one credential per account` };
  const named = dns1123(selector);
  if (named && index.serviceAccount(namespace, named)) return { name: named };
  return { problem: `no pod with aadpodidbinding: ${selector} was found in namespace ${namespace}, so the service account to federate is unknown` };
}

/** A word as it can stand inside double quotes (a literal or a variable), in either dialect. */
export function quotedPart(word: Word | undefined): string | undefined {
  if (!word) return undefined;
  if (word.variable) return `\${${word.variable}}`;
  if (word.value !== undefined && /^[A-Za-z0-9._:/-]*$/.test(word.value)) return word.value;
  if (/^"[^"`\\]*"$/.test(word.text)) return word.text.slice(1, -1);
  return undefined;
}

/** A resource id's resource group and name, as words of the script: read from its segments, or cut from its variable. */
export function identityParts(word: Word, dialect: Dialect): { resourceGroup: string; name: string } | undefined {
  const raw = /^"[^"`\\]*"$/.test(word.text) ? word.text.slice(1, -1) : /^'[^']*'$/.test(word.text) ? word.text.slice(1, -1) : word.text;
  const segments = raw.split('/');
  if (segments.length === 9 && segments[0] === '' && /^subscriptions$/i.test(segments[1]) && /^resourcegroups$/i.test(segments[3]) && /^userassignedidentities$/i.test(segments[7])) {
    const out = (s: string) => (/^[A-Za-z0-9._-]+$/.test(s) ? s : /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(s) ? `"${s}"` : undefined);
    const [resourceGroup, name] = [out(segments[4]), out(segments[8])];
    return resourceGroup && name ? { resourceGroup, name } : undefined;
  }
  if (!word.variable) {
    // Any other shell word (`"$(PIPELINE_VARIABLE)"`, `"$SUB_PATH/$NAME"`): cut at run time.
    if (dialect !== 'sh' || word.text.includes("'") || word.text.includes('`')) return undefined;
    return { resourceGroup: `"$(echo ${word.text} | cut -d/ -f5)"`, name: `"$(basename ${word.text})"` };
  }
  const v = word.variable;
  return dialect === 'sh'
    ? { resourceGroup: `"$(echo "$${v}" | cut -d/ -f5)"`, name: `"\${${v}##*/}"` }
    : { resourceGroup: `"$(($${v} -split '/')[4])"`, name: `"$(($${v} -split '/')[8])"` };
}

/** How the command continues a line: the first break between its words as written, else a space. */
export function continuationOf(cmd: ScriptCommand, text: string): string {
  for (let i = 1; i < cmd.words.length; i++) {
    const gap = text.slice(cmd.words[i - 1].end, cmd.words[i].start);
    if (gap.includes('\n')) return gap;
  }
  return ' ';
}
