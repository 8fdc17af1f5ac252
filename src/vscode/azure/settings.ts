import { cloudNamed, DEFAULT_AUDIENCE, type Cloud } from './clouds';

export type Authentication = 'vscode' | 'azureCli' | 'deviceCode';

/** The `wiMigrate.azure.*` settings, read once per command run. */
export interface AzureSettings {
  cloud: Cloud;
  /** The audience federated credentials accept: the webhook's (`DEFAULT_AUDIENCE` unless it runs with `--audience`). */
  audience: string;
  authentication: Authentication;
  /** Overrides the cloud's Resource Manager endpoint (custom clouds, tests). */
  resourceManagerEndpoint: string | undefined;
  /** Tenant to use without asking. */
  tenant: string | undefined;
  /** The KEDA operator's service account, offered as the subject for KEDA. */
  kedaOperator: { namespace: string; name: string };
  /** How long a sign-in may take before the command stops (a device code sign-in has no limit). */
  signInTimeoutSeconds: number;
}

const DEFAULT_SIGN_IN_TIMEOUT_SECONDS = 60;

const DEFAULT_KEDA_OPERATOR = 'kube-system/keda-operator';

/** Settings from raw configuration values (anything unknown falls back to the default). */
export function azureSettings(raw: {
  cloud?: string;
  audience?: string;
  authentication?: string;
  resourceManagerEndpoint?: string;
  tenant?: string;
  kedaOperatorServiceAccount?: string;
  signInTimeoutSeconds?: number;
}): AzureSettings {
  const authentication = (['vscode', 'azureCli', 'deviceCode'] as const).find((a) => a === raw.authentication) ?? 'vscode';
  return {
    cloud: cloudNamed(raw.cloud),
    audience: raw.audience?.trim() || DEFAULT_AUDIENCE,
    authentication,
    resourceManagerEndpoint: raw.resourceManagerEndpoint?.trim().replace(/\/+$/, '') || undefined,
    tenant: raw.tenant?.trim() || undefined,
    kedaOperator: parseServiceAccount(raw.kedaOperatorServiceAccount ?? '') ?? parseServiceAccount(DEFAULT_KEDA_OPERATOR)!,
    signInTimeoutSeconds:
      typeof raw.signInTimeoutSeconds === 'number' && Number.isFinite(raw.signInTimeoutSeconds) && raw.signInTimeoutSeconds >= 1
        ? raw.signInTimeoutSeconds
        : DEFAULT_SIGN_IN_TIMEOUT_SECONDS,
  };
}

/** `namespace/name` → its parts, or undefined when it is not of that form. */
export function parseServiceAccount(text: string): { namespace: string; name: string } | undefined {
  const match = /^\s*([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)\s*$/.exec(text);
  return match ? { namespace: match[1], name: match[3] } : undefined;
}
