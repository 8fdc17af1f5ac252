import { SCRIPT_KINDS, scriptOf } from '../scripts';
import { commandHead } from '../scripts/script';
import { podIdentityCommandsOf, POD_IDENTITY_FEATURE } from '../scripts/commands';
import type { TextRule } from '../rule';

/**
 * The add-on's other commands, which workload identity has no counterpart for: `az aks
 * pod-identity delete` and `exception add|update|delete` (workload identity intercepts no traffic,
 * so nothing needs exempting), and the `EnablePodIdentityPreview` feature registration. They are
 * flagged, never removed: they stay right while clusters still run the add-on.
 */
export const scriptPodIdentityCli: TextRule = {
  id: 'script-pod-identity-cli',
  description: 'A script or pipeline step manages the AKS-managed pod identity add-on (pod-identity delete, exceptions, the EnablePodIdentityPreview feature).',
  severity: 'info',
  input: 'text',
  fileKinds: SCRIPT_KINDS,
  fixable: false,
  check(ctx) {
    const model = scriptOf(ctx.kind, ctx.text);
    for (const c of model ? podIdentityCommandsOf(model) : []) {
      const name = c.options.get('--name', '-n');
      const what = name?.value ?? name?.text ?? '?';
      let message: string | undefined;
      if (c.kind === 'delete') message = `az aks pod-identity delete removes pod identity ${what} of the AKS-managed add-on; workload identity has no counterpart: remove the step once the add-on is disabled.`;
      else if (c.kind.startsWith('exception')) {
        message = `az aks pod-identity ${c.kind} manages pod identity exception ${what}, which exempts pods from the add-on's token interception; workload identity intercepts nothing, so the exception is no longer needed once the add-on is disabled.`;
      } else if (c.kind === 'feature') {
        message = `The ${POD_IDENTITY_FEATURE} feature registration is only for the AKS-managed pod identity add-on; workload identity is generally available and needs no feature registration: remove it once no cluster uses the add-on.`;
      }
      if (message) ctx.report({ ...commandHead(ctx.text, c.cmd), deprecated: true, message });
    }
  },
};
