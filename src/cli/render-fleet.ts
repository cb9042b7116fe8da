import kleur from 'kleur';
import { fleetVerdicts, type FleetVerdict } from '../plan/fleet.js';
import type { HostStatus } from '../run/status.js';
import { safeJson, showUntrusted } from '../util/visible-text.js';

/** `status --hosts-file`: the verdict of each fleet of 2+ VMs among the reports (the VMs on one database). */
export function fleetVerdictsOf(statuses: HostStatus[]): FleetVerdict[] {
  return fleetVerdicts(
    statuses.map((s) => {
      const version = s.mlflow.running ?? s.mlflow.installed;
      return { host: s.host, ...s.fleet, ...(version ? { mlflowVersion: version } : {}) };
    }),
  );
}

/** A fleet's verdict as text: a verdict line, what it shares, one line per difference. Never a key or its hash. */
export function fleetText(f: FleetVerdict): string {
  const v = showUntrusted;
  const verdict = f.problems.length === 0 ? kleur.green().bold('consistent') : kleur.red().bold('NOT CONSISTENT');
  const lines = [`${kleur.bold(`fleet ${v(f.database)}`)} (${f.hosts.length} VMs: ${v(f.hosts.join(', '))}): ${verdict}`];
  const row = (name: string, text: string) => lines.push(`  ${name.padEnd(10)} ${v(text)}`);
  row('database', `the same on every VM`);
  row('artifacts', f.container ? `Blob container ${f.container} on every VM` : 'not one Blob container');
  row(
    'auth key',
    f.sameSecretKey === null ? 'no basic auth' : f.sameSecretKey ? 'the same session key on every VM (compared by hash)' : 'different session keys',
  );
  row('MLflow', f.mlflowVersion ? `${f.mlflowVersion} on every VM` : 'not one version');
  for (const p of f.problems) lines.push(kleur.red(`  ! ${v(p)}`));
  return lines.join('\n');
}

/** A fleet's verdict as one JSON line, `{"fleet": ...}` beside the hosts' lines. */
export function fleetJson(f: FleetVerdict): string {
  return safeJson({
    fleet: {
      database: f.database,
      hosts: f.hosts,
      consistent: f.problems.length === 0,
      blobContainer: f.container ?? null,
      sameSecretKey: f.sameSecretKey,
      mlflowVersion: f.mlflowVersion ?? null,
      problems: f.problems,
    },
  });
}
