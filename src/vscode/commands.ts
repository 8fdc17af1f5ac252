/**
 * The ids of the commands the extension contributes: the one table that extension.ts,
 * azureCommands.ts and the Azure bundle register from (a meta-test checks package.json's
 * `contributes.commands` against it). No `vscode` import: the Azure bundle and tests read it.
 */
export const COMMAND_IDS = {
  migrateWorkspace: 'wiMigrate.migrateWorkspace',
  createFederatedCredential: 'wiMigrate.createFederatedCredential',
  enableWorkloadIdentity: 'wiMigrate.enableWorkloadIdentity',
  removeManagedPodIdentity: 'wiMigrate.removeManagedPodIdentity',
  copyAzScript: 'wiMigrate.copyAzScript',
  fillClientIds: 'wiMigrate.fillClientIds',
  // The migration view (migrationView.ts): its inline actions, its refresh, the walkthrough.
  viewFixWorkload: 'wiMigrate.view.fixWorkload',
  viewFixIdentity: 'wiMigrate.view.fixIdentity',
  viewCreateFederatedCredential: 'wiMigrate.view.createFederatedCredential',
  viewCopyAzScript: 'wiMigrate.view.copyAzScript',
  viewRefresh: 'wiMigrate.view.refresh',
  openWalkthrough: 'wiMigrate.openWalkthrough',
  checkCluster: 'wiMigrate.checkCluster',
} as const;

/** The commands that call Azure: their code is in dist/azure.js, loaded the first time one runs. */
export const AZURE_COMMAND_IDS = [
  COMMAND_IDS.createFederatedCredential,
  COMMAND_IDS.enableWorkloadIdentity,
  COMMAND_IDS.removeManagedPodIdentity,
  COMMAND_IDS.copyAzScript,
  COMMAND_IDS.fillClientIds,
] as const;

export type AzureCommandId = (typeof AZURE_COMMAND_IDS)[number];
