import type { TextEdit } from '../edits';
import { SCRIPT_KINDS, scriptOf } from '../scripts';
import { podIdentityCommandsOf } from '../scripts/commands';
import type { TextRule } from '../rule';

const clusterName = (w: { value?: string; text: string } | undefined) => w?.value ?? w?.text ?? '(unnamed)';

const WORKLOAD_IDENTITY_FLAGS = ['--enable-oidc-issuer', '--enable-workload-identity'];

/**
 * `az aks create|update --enable-pod-identity` turns the add-on on; workload identity needs the
 * cluster's OIDC issuer and the workload identity webhook instead. The fix swaps the flag in place
 * (`--enable-pod-identity-with-kubenet` goes with it: workload identity has no kubenet caveat).
 */
export const scriptEnablePodIdentity: TextRule = {
  id: 'script-enable-pod-identity',
  description: 'A script or pipeline step enables the AKS-managed pod identity add-on (az aks create or update --enable-pod-identity).',
  severity: 'warning',
  input: 'text',
  fileKinds: SCRIPT_KINDS,
  fixable: true,
  check(ctx) {
    const model = scriptOf(ctx.kind, ctx.text);
    for (const c of model ? podIdentityCommandsOf(model) : []) {
      if (c.kind !== 'enable') continue;
      const present = new Set(c.cmd.words.map((w) => w.value));
      const missing = WORKLOAD_IDENTITY_FLAGS.filter((f) => !present.has(f));
      const edits: TextEdit[] = [{ start: c.flag.start, end: c.flag.end, text: missing.join(' ') }];
      const drop = (w: (typeof c.cmd.words)[number]) => {
        const i = c.cmd.words.indexOf(w);
        return { start: c.cmd.words[i - 1].end, end: w.end, text: '' };
      };
      if (missing.length === 0) edits[0] = drop(c.flag);
      if (c.kubenet) edits.push(drop(c.kubenet));
      const verb = c.cmd.words[2].value;
      const fix = ctx.fix({ title: `Enable the OIDC issuer and workload identity instead`, label: `Migrate ManagedCluster ${clusterName(c.options.get('--name', '-n'))} (az aks ${verb}) to workload identity`, edits });
      ctx.report({
        start: c.flag.start,
        end: (c.kubenet && c.kubenet.end > c.flag.end ? c.kubenet : c.flag).end,
        deprecated: true,
        ...(fix ? { fix } : {}),
        message:
          `az aks ${verb} --enable-pod-identity enables the AKS-managed pod identity add-on; workload identity needs ${WORKLOAD_IDENTITY_FLAGS.join(' ')} instead.` +
          (c.kubenet ? ' --enable-pod-identity-with-kubenet goes with it.' : '') +
          (fix ? '' : ' No fix: the command cannot be edited safely here.'),
      });
    }
  },
};
