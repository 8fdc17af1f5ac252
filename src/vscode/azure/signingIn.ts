import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { CancelledError, FlowError } from './result';
import type { AzureSettings } from './settings';
import type { Progress, Ui } from './ui';

export const SIGN_IN_TITLE = 'Signing in to Microsoft…';

/**
 * A credential whose first token, where the sign-in happens (a browser page, `az`, a device
 * code), runs under a progress notification with Cancel and a time-out: without it a sign-in that
 * never completes leaves the command waiting with no sign of life. Later tokens come from the
 * signed-in account (cached by VS Code or the SDK) and are asked for directly.
 */
export function watchedSignIn(credential: TokenCredential, ui: Ui, settings: Pick<AzureSettings, 'authentication' | 'signInTimeoutSeconds'>): TokenCredential {
  let signedIn = false;
  let first: Promise<AccessToken | null> | undefined;
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      if (signedIn) return credential.getToken(scopes, options);
      if (first) {
        // A second request while the first sign-in is pending waits for it, under the same progress.
        await first;
        return credential.getToken(scopes, options);
      }
      first = ui.progress(SIGN_IN_TITLE, (progress) => firstToken(credential, scopes, options, progress, settings));
      try {
        const token = await first;
        signedIn = true;
        return token;
      } finally {
        first = undefined;
      }
    },
  };
}

function firstToken(
  credential: TokenCredential,
  scopes: string | string[],
  options: GetTokenOptions | undefined,
  progress: Progress,
  settings: Pick<AzureSettings, 'authentication' | 'signInTimeoutSeconds'>,
): Promise<AccessToken | null> {
  // Aborted when the wait ends (cancel, time-out, the caller's abort): the sign-in may stop too.
  const stop = new AbortController();
  const caller = options?.abortSignal;
  // A device code sign-in waits for the user to type the code elsewhere; the code's own expiry ends it.
  const timeoutSeconds = settings.authentication === 'deviceCode' ? undefined : settings.signInTimeoutSeconds;
  return new Promise<AccessToken | null>((resolve, reject) => {
    let settled = false;
    const end = (settle: () => void, stopSignIn = true) => {
      settled = true;
      clearTimeout(timer);
      progress.signal.removeEventListener('abort', onCancel);
      caller?.removeEventListener('abort', onAbort);
      if (stopSignIn) stop.abort();
      settle();
    };
    const onCancel = () => end(() => reject(new CancelledError('Sign-in cancelled.')));
    const onAbort = () => end(() => reject(abortError()));
    const timer = timeoutSeconds === undefined ? undefined : setTimeout(() => end(() => reject(new FlowError(timedOut(settings.authentication, timeoutSeconds)))), timeoutSeconds * 1000);
    if (progress.signal.aborted) return onCancel();
    if (caller?.aborted) return onAbort();
    progress.signal.addEventListener('abort', onCancel, { once: true });
    caller?.addEventListener('abort', onAbort, { once: true });
    // The sign-in cannot always be stopped (VS Code's has no cancel): a late outcome is dropped.
    Promise.resolve()
      .then(() => credential.getToken(scopes, { ...options, abortSignal: stop.signal }))
      .then(
        (token) => {
          if (!settled) end(() => resolve(token), false);
        },
        (error: unknown) => {
          if (!settled) end(() => reject(error), false);
        },
      );
  });
}

function timedOut(authentication: AzureSettings['authentication'], seconds: number): string {
  const limit = `within ${seconds} s (wiMigrate.azure.signInTimeoutSeconds)`;
  if (authentication === 'azureCli') {
    return `The Azure CLI did not return a token ${limit}. Check that az account get-access-token works in a terminal, then try again.`;
  }
  return `Sign-in to Microsoft did not complete ${limit}. Try again, or set wiMigrate.azure.authentication to azureCli or deviceCode.`;
}

function abortError(): Error {
  return Object.assign(new Error('The sign-in was aborted.'), { name: 'AbortError' });
}
