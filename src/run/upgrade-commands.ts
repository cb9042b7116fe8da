/**
 * The commands of a safe upgrade (issue 24 item 3): the venv kept aside before another MLflow is installed into
 * it, put back when the schema upgrade fails, dropped once the new version runs. Values quoted with shq.
 */
import type { RemoteCommand } from '../action/action.js';
import type { RemoteLayout } from '../render/server-files.js';
import { shq } from '../util/shell-quote.js';

/** Where the venv is kept while another MLflow is installed into it (beside it: same file system, a rename back). */
export function previousVenv(layout: RemoteLayout): string {
  return `${layout.venv}.previous`;
}

/**
 * A copy of the venv, every file and link as it is (cp -a: a copy, not links, so nothing the install does to
 * the venv reaches it). Its scripts name the venv's absolute path, so it only works once back at that path.
 */
export function keepVenvCommand(layout: RemoteLayout): RemoteCommand {
  const [venv, kept] = [shq(layout.venv), shq(previousVenv(layout))];
  return {
    kind: 'upgrade-keep-venv',
    label: `cp -a ${layout.venv} ${previousVenv(layout)} (the venv kept aside until the upgrade has worked)`,
    command: `rm -rf ${kept} && cp -a ${venv} ${kept}`,
    timeoutSec: 600,
  };
}

/** Where the new venv goes when the kept one comes back: removed once the previous server answers. */
export function failedVenv(layout: RemoteLayout): string {
  return `${layout.venv}.failed`;
}

/**
 * The kept venv back in place of the new one: two renames (nothing to download, resolve or delete while the
 * servers are down; removing a venv takes tens of seconds on a busy disk). The new one is removed later.
 */
export function restoreVenvCommand(layout: RemoteLayout): RemoteCommand {
  const [venv, kept, failed] = [shq(layout.venv), shq(previousVenv(layout)), shq(failedVenv(layout))];
  return {
    kind: 'upgrade-restore-venv',
    label: `mv ${previousVenv(layout)} ${layout.venv} (the previous MLflow back; the new one moved to ${failedVenv(layout)})`,
    command: [
      `[ -d ${kept} ] || { echo "no ${previousVenv(layout)} to put back" >&2; exit 1; }`,
      `rm -rf ${failed} && mv ${venv} ${failed} && mv ${kept} ${venv}`,
    ].join('\n'),
    timeoutSec: 600,
  };
}

/**
 * A venv beside the one in use removed: the kept one once the upgrade worked, or the failed one after a rollback.
 * Renamed to a name of its own first, then deleted in the background (tens of seconds on a busy disk, and nothing
 * waits for it): a later copy or restore never meets a half-deleted folder at the name it uses.
 */
export function dropVenvCommand(layout: RemoteLayout, which: 'previous' | 'failed'): RemoteCommand {
  const path = which === 'previous' ? previousVenv(layout) : failedVenv(layout);
  return {
    kind: 'upgrade-drop-venv',
    label: `rm -rf ${path} (in the background)`,
    command: [
      `[ -e ${shq(path)} ] || exit 0`,
      `trash=${shq(path)}.deleting.$$`,
      `mv ${shq(path)} "$trash"`,
      // Every stream redirected, its own session: the channel closes at once, the deletion goes on.
      'setsid rm -rf -- "$trash" </dev/null >/dev/null 2>&1 &',
    ].join('\n'),
    timeoutSec: 60,
  };
}
