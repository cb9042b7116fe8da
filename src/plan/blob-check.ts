import type { RemoteCommand } from '../action/action.js';
import type { BlobDestination } from '../config/validate.js';
import type { RemoteLayout } from '../render/server-files.js';
import { shq } from '../util/shell-quote.js';

/** The prefix of the one line the check prints (verdicts/blob-check.ts reads it). */
export const BLOB_CHECK_PREFIX = 'blob_check=';

/**
 * Lists at most one blob of the container, as MLflow's Azure repository builds its client: the connection string,
 * else the account key at the URI's account, else DefaultAzureCredential (the VM's managed identity). No retries
 * and short timeouts: the answer says what Azure said (status and error code) or why nothing answered.
 */
const CHECK_PY = `
import json, os, sys
def say(**answer):
    print(${JSON.stringify(BLOB_CHECK_PREFIX)} + json.dumps(answer), flush=True)
    sys.exit(0)
container, account = sys.argv[1], sys.argv[2]
try:
    from azure.storage.blob import BlobServiceClient
except ImportError as e:
    say(outcome="error", error="ImportError", message=str(e))
opts = dict(retry_total=0, connection_timeout=5, read_timeout=10)
url = "https://%s.blob.core.windows.net" % account
conn, key = os.environ.get("AZURE_STORAGE_CONNECTION_STRING"), os.environ.get("AZURE_STORAGE_ACCESS_KEY")
endpoint = ""
try:
    if conn:
        service = BlobServiceClient.from_connection_string(conn, **opts)
    elif key:
        service = BlobServiceClient(url, credential=key, **opts)
    else:
        from azure.identity import DefaultAzureCredential
        service = BlobServiceClient(url, credential=DefaultAzureCredential(), **opts)
    endpoint = service.url
    pages = service.get_container_client(container).list_blobs(results_per_page=1).by_page()
    next(iter(pages), None)
    say(outcome="ok", endpoint=endpoint)
except Exception as e:
    first = (str(e).strip().splitlines() or [""])[0][:300]
    status = getattr(e, "status_code", None)
    if status:  # the service answered (a credential error without an answer has none)
        code = getattr(e, "error_code", None)
        say(outcome="http", status=status, code=str(getattr(code, "value", code) or ""), endpoint=endpoint, message=first)
    say(outcome="error", error=type(e).__name__, endpoint=endpoint, message=first)
`;

/**
 * The Blob access check, from the VM with the server's own credential: the secrets file is sourced as the launcher
 * sources it (the credential goes from that file into the process's environment, never onto a command line), then
 * the venv's python runs the check. Container and account are arguments, quoted.
 */
export function blobCheckCommand(layout: RemoteLayout, dest: Pick<BlobDestination, 'container' | 'account'>): RemoteCommand {
  const python = shq(`${layout.venv}/bin/python`);
  return {
    kind: 'blob-check',
    label: `check Blob access to the container ${dest.container} from the VM`,
    command: [
      `if [ -r ${shq(layout.secrets)} ]; then set -a; . ${shq(layout.secrets)}; set +a; fi`,
      `exec ${python} -c ${shq(CHECK_PY)} ${shq(dest.container)} ${shq(dest.account)}`,
    ].join('\n'),
    timeoutSec: 45,
  };
}
