#!/usr/bin/env bash
# The README's first command: brings up one lab VM and the lab's SSL-only Postgres, provisions the VM with
# the real CLI (as a user would, from this machine), and prints the UI URL. Needs root on Linux: `npm run demo`
# runs it through scripts/as-root.sh (as it is in a root shell, with sudo otherwise). When you have an Azure VM,
# run `npx mlflow-provision --host <vm-ip>` instead.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(uname -s) != Linux || $EUID -ne 0 ]]; then
  echo "demo: the local lab needs root on Linux (run: npm run demo, from a root shell or with sudo); with an Azure VM use: npx mlflow-provision --host <vm-ip>" >&2
  exit 2
fi

missing=0
for tool in mmdebstrap apt-cacher-ng nft /usr/lib/postgresql/15/bin/postgres; do
  command -v "$tool" >/dev/null 2>&1 || [[ -x $tool ]] || missing=1
done
python3 -m pip --version >/dev/null 2>&1 || missing=1 # fills the lab's wheelhouse from PyPI
if ((missing)); then
  echo "demo: installing the lab's Debian packages (scripts/lab-deps.sh)"
  bash scripts/lab-deps.sh
fi
[[ -f dist/cli/main.js ]] || npm run build

bash scripts/lab.sh up 1
state=/var/lib/prov-lab
workdir=$(mktemp -d /tmp/prov-demo.XXXXXX)
cp "$state/lab.env" "$workdir/.env"
echo
echo "Provisioning lab VM vm1 (10.231.0.11) with the real CLI; database: the lab's SSL-only Postgres (10.231.0.2)."
echo "Settings come from $workdir/.env (a copy of $state/lab.env), logs go to $workdir/provision-logs."
echo
cd "$workdir"
status=0
node "$OLDPWD/dist/cli/main.js" --host 10.231.0.11 --identity-file "$state/keys/id_ed25519" \
  --known-hosts "$workdir/known_hosts" --yes "$@" || status=$?
if [[ $status -eq 0 ]]; then
  echo
  echo "Demo done: open http://10.231.0.11:5000 from this machine (curl http://10.231.0.11:5000/health)."
  echo "Rerun this command to see a no-op rerun; 'npm run lab -- down' stops the lab."
fi
exit $status
