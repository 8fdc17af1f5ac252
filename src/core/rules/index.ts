import type { Rule } from '../rule';
import { csiPodIdentity } from './csi-pod-identity';
import { kedaPodIdentityProvider } from './keda-pod-identity-provider';
import { podIdentityChartValues } from './pod-identity-chart-values';
import { podIdentityLabel } from './pod-identity-label';
import { podIdentityResource } from './pod-identity-resource';
import { unparsableDocument } from './unparsable-document';
import { wiAnnotationValues } from './wi-annotation-values';
import { wiServiceAccount } from './wi-service-account';
import { wiUseLabel } from './wi-use-label';

/**
 * Every rule. Each rule's docs page is `docs/rules/<id>.md` (see `docsUrl`); a meta-test checks
 * that every rule here has its page, its tests and a fixture.
 */
export const RULES: readonly Rule[] = [
  unparsableDocument,
  podIdentityLabel,
  podIdentityResource,
  kedaPodIdentityProvider,
  podIdentityChartValues,
  csiPodIdentity,
  wiUseLabel,
  wiServiceAccount,
  wiAnnotationValues,
];

export const DOCS_BASE = 'https://github.com/wi-migrate/aks-workload-identity-migrator/blob/main/docs/rules/';

export function docsUrl(ruleId: string): string {
  return `${DOCS_BASE}${ruleId}.md`;
}
