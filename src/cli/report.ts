import type { MigrationReport, ReportLocation, ReportObject, ReportWorkload, StateCounts } from '../core/report';
import { STATE_LABELS } from '../core/report';
import { LineIndex } from '../core/text';

/*
 * `wi-migrate report`: the migration report (core/report.ts) as Markdown, for a pull request
 * description or a ticket, or as JSON, with places as 1-based lines of files named as given.
 */

/** A place as the CLI prints it. */
export interface CliLocation {
  file: string;
  line: number;
  what: string;
}

/** Turns offsets into lines, one line index per file; `display` names a file as the user gave it. */
export function locator(text: (path: string) => string | undefined, display: (path: string) => string): (l: ReportLocation) => CliLocation {
  const indexes = new Map<string, LineIndex>();
  return (l) => {
    let lines = indexes.get(l.file);
    if (!lines) indexes.set(l.file, (lines = new LineIndex(text(l.file) ?? '')));
    return { file: display(l.file), line: lines.position(l.start).line + 1, what: l.what };
  };
}

/** The report with lines in place of offsets: what `--format json` prints. */
export function reportJson(report: MigrationReport, locate: (l: ReportLocation) => CliLocation): string {
  const workload = (w: ReportWorkload) => ({ ...w, locations: w.locations.map(locate) });
  const object = (o: ReportObject) => ({ ...o, location: locate(o.location) });
  const out = {
    counts: report.counts,
    stillOnPodIdentity: report.stillOnPodIdentity,
    identities: report.identities.map((i) => ({
      ...i,
      location: i.location && locate(i.location),
      groups: i.groups.map((g) => ({ ...g, location: g.location && locate(g.location), workloads: g.workloads.map(workload) })),
      keda: i.keda.map(object),
      csi: i.csi.map(object),
    })),
  };
  return JSON.stringify(out, null, 2) + '\n';
}

/** "9 workloads: 7 still on pod identity, 0 migrated, 1 needs input, 1 blocked". */
function countsText(c: StateCounts): string {
  return `${c.workloads} ${c.workloads === 1 ? 'workload' : 'workloads'}: ${c['pod-identity']} ${STATE_LABELS['pod-identity']}, ${c.migrated} migrated, ${c['needs-input']} ${STATE_LABELS['needs-input']}, ${c.blocked} blocked`;
}

const at = (l: CliLocation) => `\`${l.file}:${l.line}\``;

/** The report as Markdown: a section per identity, a task list of its workloads (migrated ones ticked). */
export function reportMarkdown(report: MigrationReport, locate: (l: ReportLocation) => CliLocation): string {
  const lines = ['# Workload identity migration report', ''];
  if (report.identities.length === 0) {
    lines.push('No pod identity or workload identity usage was found.');
    return lines.join('\n') + '\n';
  }
  lines.push(`${countsText(report.counts)}.`, '');
  const item = (indent: string, done: boolean, text: string, reason?: string) => {
    lines.push(`${indent}- [${done ? 'x' : ' '}] ${text}`);
    if (reason) lines.push(`${indent}  ${reason}`);
  };
  for (const identity of report.identities) {
    const client = identity.clientId && !identity.label.includes(identity.clientId) ? ` (client id ${identity.clientId})` : '';
    lines.push(`## ${identity.label}${client}`, '');
    lines.push(`${countsText(identity.counts)}.${identity.location ? ` Defined at ${at(locate(identity.location))}.` : ''}`, '');
    for (const group of identity.groups) {
      const name = group.kind === 'selector' ? `aadpodidbinding: ${group.name} (no binding found in ${group.namespace})` : (group.label ?? `${group.kind} ${group.namespace}/${group.name}`);
      lines.push(`- ${name}${group.location ? ` ${at(locate(group.location))}` : ''}`);
      for (const w of group.workloads) {
        // The workload's own places (its object, its label, its account); the binding and identity head their sections.
        const own = w.locations.filter((l) => !l.what.startsWith('AzureIdentity')).map(locate).map(at);
        item('  ', w.state === 'migrated', `${w.kind} ${w.namespace}/${w.name}: **${STATE_LABELS[w.state]}** ${own.join(', ')}`, w.reason);
      }
    }
    for (const o of [...identity.keda, ...identity.csi]) {
      item('', o.state === 'migrated', `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}: **${STATE_LABELS[o.state]}** ${at(locate(o.location))}`, o.reason);
    }
    lines.push('');
  }
  return lines.join('\n');
}

export const REPORT_USAGE = `Usage: wi-migrate report [paths...] [--format markdown|json] [--default-namespace NS]

Prints what is left of the migration, by identity: each AzureIdentity (or client id), its
bindings, the workloads they bind with their state (still on pod identity, migrated, needs
input, blocked, with the reason) and the files and lines involved; KEDA TriggerAuthentications
and CSI SecretProviderClasses under the identity they use. Markdown (the default) is made for a
pull request description or a ticket.

Exit status: 0 nothing left on pod identity, 1 workloads still on pod identity, 2 bad usage or unreadable input.
`;
