// The "Site certificates" explorer view and the status bar item, both fed by certlsp/siteStatus.
import * as vscode from 'vscode';
import type { DeviceStatus, DeviceStatusKind, SiteStatus } from './protocol';
import type { CertLspServer } from './server';
import { CertificatesViewId, Command, ContextKey } from './names';
import {
  deviceDescription,
  deviceTooltip,
  groupDevices,
  statusBarText,
  statusBarTooltip,
  statusIcons,
  type StatusGroup,
} from './statusModel';

type Node = { kind: 'group'; group: StatusGroup } | { kind: 'device'; device: DeviceStatus; status: DeviceStatusKind };

/** What the view shows, for the end-to-end probe: group labels with their devices' lines. */
export interface TreeSnapshot {
  manifest?: string;
  site?: string;
  message?: string;
  groups: { label: string; devices: { label: string; description: string }[] }[];
}

export class CertificatesView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<Node>;
  private readonly statusBar: vscode.StatusBarItem;
  private manifest: vscode.Uri | undefined;
  private status: SiteStatus | undefined;
  private error: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly server: CertLspServer,
    private readonly isManifest: (document: vscode.TextDocument) => boolean,
  ) {
    this.view = vscode.window.createTreeView(CertificatesViewId, { treeDataProvider: this, showCollapseAll: true });
    this.statusBar = vscode.window.createStatusBarItem('certlsp.status', vscode.StatusBarAlignment.Left, 10);
    this.statusBar.name = 'CertLsp';
    this.statusBar.command = Command.status;
    this.disposables.push(
      this.view,
      this.statusBar,
      vscode.window.onDidChangeActiveTextEditor(() => this.followActiveEditor()),
      vscode.languages.onDidChangeDiagnostics(e => {
        if (this.manifest && e.uris.some(u => u.toString() === this.manifest!.toString())) this.schedule();
      }),
      server.onStarted(() => this.schedule()),
    );
  }

  /** The manifest the view shows: the active editor's if it is one, else the last one shown. */
  get current(): vscode.Uri | undefined {
    return this.manifest;
  }

  async show(uri: vscode.Uri): Promise<void> {
    this.manifest = uri;
    await vscode.commands.executeCommand('setContext', ContextKey.hasManifests, true);
    await this.refresh();
  }

  followActiveEditor(): void {
    const document = vscode.window.activeTextEditor?.document;
    const active = document !== undefined && this.isManifest(document);
    void vscode.commands.executeCommand('setContext', ContextKey.manifestActive, active);
    if (active) void this.show(document.uri);
    else this.statusBar.hide();
  }

  schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), 250);
  }

  async refresh(): Promise<void> {
    if (!this.manifest || !this.server.running) return;
    const uri = this.manifest;
    try {
      const status = await this.server.siteStatus(uri);
      if (uri !== this.manifest) return;
      this.status = status;
      this.error = undefined;
    } catch (err) {
      this.status = undefined;
      this.error = `No certificate status from the server: ${err instanceof Error ? err.message : String(err)}`;
    }
    this.render();
  }

  private render(): void {
    this.view.description = this.status?.site;
    this.view.message = this.error ?? (this.status && this.status.devices.length === 0 ? 'The manifest lists no devices.' : undefined);
    const document = vscode.window.activeTextEditor?.document;
    const showBar = document !== undefined && this.isManifest(document) && document.uri.toString() === this.manifest?.toString();
    if (this.status && showBar) {
      this.statusBar.text = statusBarText(this.status);
      this.statusBar.tooltip = `${statusBarTooltip(this.status)}\nClick for the certificate status.`;
      this.statusBar.show();
    } else if (showBar) {
      const errors = vscode.languages.getDiagnostics(document.uri).filter(d => d.source === 'certlsp'
          && d.severity === vscode.DiagnosticSeverity.Error).length;
      this.statusBar.text = `$(shield) CertLsp  $(error) ${errors}`;
      this.statusBar.tooltip = this.error;
      this.statusBar.show();
    } else {
      this.statusBar.hide();
    }
    this.changed.fire(undefined);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(node.group.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `group:${node.group.status}`;
      item.iconPath = new vscode.ThemeIcon(statusIcons[node.group.status]);
      item.contextValue = 'certlsp.group';
      return item;
    }
    const device = node.device;
    const item = new vscode.TreeItem(device.name, vscode.TreeItemCollapsibleState.None);
    item.id = `device:${device.name}:${device.range.start.line}`;
    item.description = deviceDescription(device);
    item.tooltip = deviceTooltip(device);
    item.iconPath = new vscode.ThemeIcon(statusIcons[node.status]);
    item.contextValue = 'certlsp.device';
    if (this.manifest) {
      item.command = { command: Command.revealDevice, title: 'Reveal Device in Manifest', arguments: [this.manifest, device.range] };
    }
    return item;
  }

  getChildren(node?: Node): Node[] {
    if (!this.status) return [];
    if (!node) return groupDevices(this.status.devices).map(group => ({ kind: 'group', group }));
    if (node.kind === 'group') return node.group.devices.map(device => ({ kind: 'device', device, status: node.group.status }));
    return [];
  }

  snapshot(): TreeSnapshot {
    return {
      manifest: this.manifest?.toString(),
      site: this.status?.site,
      message: this.error,
      groups: this.getChildren().map(g => ({
        label: g.kind === 'group' ? g.group.label : '',
        devices: this.getChildren(g).map(d => {
          const item = this.getTreeItem(d);
          return { label: String(item.label), description: String(item.description ?? '') };
        }),
      })),
    };
  }

  get siteStatus(): SiteStatus | undefined {
    return this.status;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.changed.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
