// The CertLsp server's contracts beyond standard LSP: workspace/executeCommand commands and custom requests.
// Types only (and names): the server owns the behaviour. tests/CertLsp.LanguageServer.Tests/ProtocolContractTests.cs reads this
// file and holds the server's command and method names and its records to it: change both sides together.

export const ServerCommand = {
  generateCsrs: 'certlsp.generateCsrs',
  importCertificates: 'certlsp.importCertificates',
  showStatus: 'certlsp.showStatus',
  discoverDevices: 'certlsp.discoverDevices',
  installCertificates: 'certlsp.installCertificates',
  reviewChanges: 'certlsp.reviewChanges',
  verifySite: 'certlsp.verifySite',
} as const;

/** Not a server command: the server's "Import signed certificates…" source action asks the client for the file. */
export const ImportPromptCommand = 'certlsp.importCertificatesPrompt';

/** Not a server command: "Review Changes Against…" (the server's rename lenses run it when the client declares it in clientCommands). */
export const ReviewPromptCommand = 'certlsp.review';

export const SiteStatusRequest = 'certlsp/siteStatus';

/** certlsp/siteStatus's params, and certlsp.showStatus's argument: the manifest. */
export interface SiteStatusParams { uri: string }

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }

export type PendingChoice = 'keep' | 'overwrite';
export type CsrScope = 'all' | 'batch' | 'devices';
export type ZipLayout = 'flat' | 'cari';

export interface GenerateCsrsArgs {
  uri: string;
  scope: CsrScope;
  batch?: string;
  devices?: string[];
  pending?: PendingChoice;
  /** flat: one CSR PEM per device; cari: the BACnet CA exchange layout (Annex AA). */
  layout?: ZipLayout;
  /** Request devices that hold a valid certificate too (the server's renewal actions set it). */
  renew?: boolean;
}

export interface GenerateCsrsResult {
  requested: number;
  noActionTaken: number;
  failed: number;
  zips: string[];
  message: string;
  needsPendingChoice?: boolean;
  pendingDevices?: string[];
  /** Why nothing was generated (e.g. the manifest has errors). */
  refusal?: string;
  cancelled?: boolean;
}

export interface ImportArgs { uri: string; path: string; issuers?: string[] }

export interface ImportResult {
  imported: number;
  rejected: number;
  message: string;
  files: { name: string; verdict: string; reason?: string; device?: string }[];
  refusal?: string;
  /** Sites whose devices hold their keys (key.source: device): what happened to each certificate's install. */
  installs?: InstallSummary;
  /** The installs were cancelled: the certificates are recorded, the installs not done stay pending. */
  cancelled?: boolean;
}

export type InstallState = 'installed' | 'failed' | 'pending';

/** One device's install: the device's error when it failed, why it was not tried when pending. */
export interface DeviceInstall { device: string; state: InstallState; detail: string }

export interface InstallSummary { installed: number; failed: number; pending: number; devices: DeviceInstall[] }

export interface InstallCertificatesArgs { uri: string }

export interface InstallCertificatesResult extends InstallSummary {
  message: string;
  /** Why nothing was done (no bind address set, the tool cannot join the site's BACnet/SC hub, local keys, an unreadable manifest). */
  refusal?: string;
  cancelled?: boolean;
}

export interface DiscoverDevicesArgs {
  uri: string;
  /** Seconds to wait for I-Am answers (the server's default: 3). */
  timeout?: number;
}

export interface DiscoverDevicesResult {
  answered: number;
  /** Names of the devices added to the manifest. */
  added: string[];
  /** Names of the devices whose address was updated. */
  updated: string[];
  /** Manifest devices that did not answer, one line each. */
  missing: string[];
  /** Every difference found (addresses, names the devices report otherwise), one line each. */
  differences: string[];
  /** Whether the editor applied the server's edit of the manifest. */
  applied: boolean;
  message: string;
  /** Why nothing was done (no bind address set, the tool cannot join the site's BACnet/SC hub, the manifest cannot be read). */
  refusal?: string;
  cancelled?: boolean;
}

export type DeviceStatusKind = 'expired' | 'expiring' | 'revoked' | 'pending' | 'valid' | 'none';

export interface DeviceStatus {
  name: string;
  commonName: string;
  status: DeviceStatusKind;
  notAfter?: string;
  daysLeft?: number;
  pendingSince?: string;
  range: Range;
  /** Devices that hold their keys, once a certificate is issued: whether it is on the device. */
  install?: InstallState;
  installError?: string;
  /** The last verification over BACnet/SC (certlsp verify), once one was recorded. */
  verified?: VerificationResult;
  /** It in words: "verified 2026-12-06 20:30 UTC: joined the hub with its certificate". */
  verification?: string;
}

export type VerificationResult = 'joined' | 'refused' | 'not-joined' | 'mismatch' | 'not-verified';

export interface SiteStatus {
  site: string;
  counts: { devices: number; errors: number; warnings: number; pending: number };
  devices: DeviceStatus[];
}

export interface ReviewChangesArgs {
  uri: string;
  /** The git revision to compare the open text with (the server's default: HEAD). */
  base?: string;
}

export interface ReviewChangesResult {
  base: string;
  /** The review as `certlsp review --format markdown` prints it (empty with a refusal). */
  markdown: string;
  headline: string;
  newRequests: number;
  /** Whether the change voids an issued certificate or a pending CSR. */
  certificateImpact: boolean;
  /** Why there is no review: the workspace is not trusted, not a git repository, the revision is not in this clone. */
  refusal?: string;
}

export interface BacnetOptions {
  port?: number;
  /** Where Who-Is goes; absent: the manifest's bacnet.broadcast, else no discovery. */
  broadcast?: string;
  generateCsrCommand?: number;
  /** The local IPv4 address to talk to devices from; absent: CertLsp sends nothing over BACnet. */
  bind?: string;
}

/** What the extension tells the server when it starts (initialize's initializationOptions). */
export interface InitializationOptions {
  warningDays?: number;
  extraGlobs: string[];
  /** certlsp.manifests.exclude: globs the workspace scan leaves out (later changes arrive by workspace/didChangeConfiguration). */
  exclude: string[];
  bacnet: BacnetOptions;
  /** Commands in the server's actions and lenses that this extension runs itself (the server offers them only to clients that say so). */
  clientCommands: string[];
  /** Whether the folder is trusted: only then does the server run git (review, rename lenses). Absent: untrusted. */
  workspaceTrusted: boolean;
}

/** workspace/didChangeConfiguration's settings when the folder becomes trusted (outside the certlsp section, which a folder can set). */
export interface TrustSettings { workspaceTrusted: boolean }

/** certlsp.verifySite: the manifest, and the seconds to wait for I-Am answers and each read (default 3). */
export interface VerifySiteArgs { uri: string; timeout?: number }

/** One device's verification over BACnet/SC (as `certlsp verify --format json` writes it). */
export interface DeviceVerification {
  device: string;
  instance?: number;
  joined: boolean;
  identityMatches?: boolean;
  hubStatus: string;
  certificateMatches?: boolean;
  reportedFingerprint?: string;
  handshake?: string;
  result: VerificationResult;
  reason: string;
}

export interface VerifySiteResult {
  allJoined: boolean;
  devices: DeviceVerification[];
  message: string;
  refusal?: string;
  ledgerProblem?: string;
  cancelled?: boolean;
}

/** Each server command's one argument and its result. */
export interface ServerCommandTypes {
  [ServerCommand.generateCsrs]: [GenerateCsrsArgs, GenerateCsrsResult];
  [ServerCommand.importCertificates]: [ImportArgs, ImportResult];
  [ServerCommand.showStatus]: [SiteStatusParams, SiteStatus];
  [ServerCommand.discoverDevices]: [DiscoverDevicesArgs, DiscoverDevicesResult];
  [ServerCommand.installCertificates]: [InstallCertificatesArgs, InstallCertificatesResult];
  [ServerCommand.reviewChanges]: [ReviewChangesArgs, ReviewChangesResult];
  [ServerCommand.verifySite]: [VerifySiteArgs, VerifySiteResult];
}

/** Each custom request's params and result. */
export interface ServerRequestTypes {
  [SiteStatusRequest]: [SiteStatusParams, SiteStatus];
}
