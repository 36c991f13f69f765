// Names the extension manifest (package.json) and the code share. test/manifest.test.ts checks that they agree.

/** The extension's own commands (the server's commands have other names: see protocol.ts). */
export const Command = {
  generate: 'certlsp.generate',
  generateForSelection: 'certlsp.generateForSelection',
  import: 'certlsp.import',
  status: 'certlsp.status',
  discover: 'certlsp.discover',
  install: 'certlsp.install',
  verify: 'certlsp.verify',
  restartServer: 'certlsp.restartServer',
  showOutput: 'certlsp.showOutput',
  refreshCertificates: 'certlsp.refreshCertificates',
  revealDevice: 'certlsp.revealDevice',
  /** "Review Changes Against…"; the server's rename lenses run it too (protocol.ts: ReviewPromptCommand). */
  review: 'certlsp.review',
} as const;

export const CertificatesViewId = 'certlsp.certificates';

/** Context keys for `when` clauses. */
export const ContextKey = {
  serverRunning: 'certlsp.serverRunning',
  canDiscover: 'certlsp.canDiscover',
  canInstall: 'certlsp.canInstall',
  canVerify: 'certlsp.canVerify',
  manifestActive: 'certlsp.manifestActive',
  hasManifests: 'certlsp.hasManifests',
} as const;

/** Settings, relative to the `certlsp` section. */
export const SettingsSection = 'certlsp';
export const Setting = {
  serverPath: 'server.path',
  trace: 'trace.server',
  warningDays: 'certificates.warningDays',
  zipLayout: 'csr.zipLayout',
  extraGlobs: 'manifests.extraGlobs',
  exclude: 'manifests.exclude',
  bacnetPort: 'bacnet.port',
  bacnetBroadcast: 'bacnet.broadcast',
  bacnetGenerateCsrCommand: 'bacnet.generateCsrCommand',
  bacnetBind: 'bacnet.bind',
} as const;

/** Settings the server reads only when it starts (initializationOptions, document selector, launch). */
export const restartSettings: readonly string[] = [
  Setting.serverPath, Setting.extraGlobs, Setting.warningDays, Setting.bacnetPort, Setting.bacnetBroadcast,
      Setting.bacnetGenerateCsrCommand,
  Setting.bacnetBind,
];
