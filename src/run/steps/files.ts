import { removeLeftoverUploadsCommand } from '../../plan/commands.js';
import { planFiles } from '../../plan/plan.js';
import type { Action, Plan } from '../../action/action.js';
import { planned, type PlanInput } from './step.js';

/**
 * The launcher, the 0600 secrets file, (with their options) the auth configuration and the database's root
 * certificate, and provision's 0600 record of what it created, each uploaded atomically when its content, mode or owner differs. Temporary files an
 * interrupted upload left behind are removed, whatever else changes.
 */
export function planFilesStep({ facts, desired }: PlanInput): Plan {
  const decision = planFiles(facts, desired);
  const leftovers = facts.leftoverUploads;
  const cleanup = leftovers.length > 0 ? `${leftovers.length} leftover temporary upload${leftovers.length === 1 ? '' : 's'} from an interrupted run` : '';
  if (!decision.change && !cleanup) return { ...decision, actions: [] };
  const { layout } = desired;
  const actions: Action[] = [];
  if (cleanup) actions.push(removeLeftoverUploadsCommand(layout.home, leftovers));
  // The root certificate goes before the URIs that name it (sslrootcert=): public, so 0644 like any CA certificate.
  if (decision.pgRootCert && desired.pgRootCert !== undefined)
    actions.push({ kind: 'upload', path: layout.pgRootCert, content: desired.pgRootCert, mode: 0o644 });
  if (decision.secrets) actions.push({ kind: 'upload', path: layout.secrets, content: desired.secrets, mode: 0o600 });
  if (decision.authIni && desired.authIni !== undefined) actions.push({ kind: 'upload', path: layout.authIni, content: desired.authIni, mode: 0o600 });
  if (decision.launcher) actions.push({ kind: 'upload', path: layout.launcher, content: desired.launcher, mode: 0o700 });
  // Last: it records the artifacts folder this run made (the artifacts step ran before); no restart hangs on it.
  if (decision.record) actions.push({ kind: 'upload', path: layout.record, content: desired.record, mode: 0o600 });
  const removed = cleanup ? `; removed ${cleanup}` : '';
  return {
    change: true,
    reason: [decision.change && decision.reason, cleanup].filter(Boolean).join('; '),
    actions,
    applied: decision.change ? `${decision.reason}; rewritten${removed}` : `${decision.reason}${removed}`,
  };
}

export const filesStep = planned({ id: 'files', title: 'Launcher and secrets file', plan: planFilesStep });
