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

/** The kept venv back in place of the new one (a rename: nothing to download, nothing to resolve). */
export function restoreVenvCommand(layout: RemoteLayout): RemoteCommand {
  const [venv, kept] = [shq(layout.venv), shq(previousVenv(layout))];
  return {
    kind: 'upgrade-restore-venv',
    label: `mv ${previousVenv(layout)} ${layout.venv} (the previous MLflow back)`,
    command: `[ -d ${kept} ] || { echo "no ${previousVenv(layout)} to put back" >&2; exit 1; }\nrm -rf ${venv} && mv ${kept} ${venv}`,
    timeoutSec: 600,
  };
}

/** The kept venv removed: the upgrade worked, or there was nothing to go back from. */
export function dropPreviousVenvCommand(layout: RemoteLayout): RemoteCommand {
  return {
    kind: 'upgrade-drop-venv',
    label: `rm -rf ${previousVenv(layout)}`,
    command: `rm -rf ${shq(previousVenv(layout))}`,
    timeoutSec: 600,
  };
}
