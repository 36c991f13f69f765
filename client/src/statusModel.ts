// What the certificates view and the status bar show, computed from the server's site status.
// No vscode import: the unit tests run it under plain node.
import { installText } from './installFlow';
import type { DeviceStatus, DeviceStatusKind, SiteStatus } from './protocol';

/** Group order: what needs the engineer first. */
export const statusOrder: readonly DeviceStatusKind[] = ['expired', 'revoked', 'expiring', 'pending', 'valid', 'none'];

const groupLabels: Record<DeviceStatusKind, string> = {
  expired: 'Expired',
  revoked: 'Revoked',
  expiring: 'Expiring',
  pending: 'CSR pending',
  valid: 'Valid',
  none: 'No certificate',
};

/** Codicon per status (ThemeIcon ids). */
export const statusIcons: Record<DeviceStatusKind, string> = {
  expired: 'error',
  revoked: 'circle-slash',
  expiring: 'warning',
  pending: 'history',
  valid: 'pass',
  none: 'circle-outline',
};

export interface StatusGroup {
  status: DeviceStatusKind;
  label: string;
  devices: DeviceStatus[];
}

/** Non-empty groups in {@link statusOrder}; devices keep the manifest's order. Unknown statuses count as "none". */
export function groupDevices(devices: readonly DeviceStatus[]): StatusGroup[] {
  const byStatus = new Map<DeviceStatusKind, DeviceStatus[]>();
  for (const device of devices) {
    const status = statusOrder.includes(device.status) ? device.status : 'none';
    const list = byStatus.get(status) ?? [];
    list.push(device);
    byStatus.set(status, list);
  }
  return statusOrder
    .filter(s => byStatus.has(s))
    .map(s => ({ status: s, label: `${groupLabels[s]} (${byStatus.get(s)!.length})`, devices: byStatus.get(s)! }));
}

function day(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const match = /^\d{4}-\d{2}-\d{2}/.exec(iso);
  return match ? match[0] : iso;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The expiry (or pending) part of a device's line, e.g. "expires 2027-03-01 (in 98 days)". */
export function expiryText(device: DeviceStatus): string {
  const until = day(device.notAfter);
  const left = device.daysLeft;
  switch (device.status) {
    case 'expired':
      return until ? `expired ${until}${left !== undefined ? ` (${plural(Math.abs(left), 'day')} ago)` : ''}` : 'expired';
    case 'revoked':
      return 'revoked';
    case 'pending':
      return device.pendingSince ? `CSR pending since ${day(device.pendingSince)}` : 'CSR pending';
    case 'expiring':
    case 'valid':
      return until ? `expires ${until}${left !== undefined ? ` (in ${plural(left, 'day')})` : ''}` : '';
    default:
      return 'no certificate';
  }
}

/** The grey text after a device's name in the tree: its CN, expiry and (devices that hold their keys) whether it is installed. */
export function deviceDescription(device: DeviceStatus): string {
  return [device.commonName, expiryText(device), installText(device.install), verifiedText(device)].filter(Boolean).join(' · ');
}

/** The last verification over BACnet/SC in short: "joined the hub", or what went wrong ("handshake refused: …"). */
export function verifiedText(device: DeviceStatus): string | undefined {
  if (!device.verified || !device.verification) return undefined;
  if (device.verified === 'joined') return 'joined the hub';
  const reason = device.verification.replace(/^verified [^:]*UTC: /, '');
  return reason.length > 60 ? `${reason.slice(0, 59)}…` : reason;
}

export function deviceTooltip(device: DeviceStatus): string {
  const lines = [`${device.name}`, `CN: ${device.commonName}`, `Status: ${device.status}`];
  const expiry = expiryText(device);
  if (expiry) lines.push(expiry[0].toUpperCase() + expiry.slice(1));
  if (device.install) lines.push(`Install on the device: ${device.install}${device.installError ? ` (${device.installError})` : ''}`);
  if (device.verification) lines.push(`BACnet/SC: ${device.verification}`);
  return lines.join('\n');
}

/** Status bar text for the active manifest: devices, errors, pending CSRs (codicons in $(...)). */
export function statusBarText(status: SiteStatus): string {
  const { devices, errors, pending } = status.counts;
  return `$(shield) ${plural(devices, 'device')}  $(error) ${errors}  $(history) ${pending} pending`;
}

export function statusBarTooltip(status: SiteStatus): string {
  const { devices, errors, warnings, pending } = status.counts;
  return `${status.site}: ${plural(devices, 'device')}, ${plural(errors, 'error')}, ` +
    `${plural(warnings, 'warning')}, ${plural(pending, 'pending CSR')}`;
}
