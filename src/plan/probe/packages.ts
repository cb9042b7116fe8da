import { shq } from '../../util/shell-quote.js';
import type { FactPart } from './types.js';

export const REQUIRED_PACKAGES = ['python3', 'python3-pip', 'python3-venv', 'postgresql-client'];

/** Missing required packages and dpkg's health, read from its status file; whether cloud-init is installed. */
export const packagesPart: FactPart = {
  name: 'packages',
  script: () => `
# Required packages and dpkg's health from its status file. Packages left unpacked or half-configured,
# or journal files in updates/ (apt then refuses: "dpkg was interrupted"), mean an interrupted dpkg run.
awk -v want=${shq(REQUIRED_PACKAGES.join(' '))} '
  /^Package: / { p = $2 }
  /^Status: / { if ($NF == "installed") ok[p] = 1; else if ($NF ~ /^(half-installed|unpacked|half-configured|triggers-awaited|triggers-pending)$/) bad = 1 }
  END { n = split(want, w, " "); for (i = 1; i <= n; i++) if (!(w[i] in ok)) print "missing_package=" w[i]; if (bad) print "dpkg_interrupted=1" }
' /var/lib/dpkg/status 2>/dev/null
for j in /var/lib/dpkg/updates/[0-9]*; do [ -e "$j" ] && { echo dpkg_interrupted=1; break; }; done
command -v cloud-init >/dev/null 2>&1 && echo cloud_init=1
`,
  keys: {
    missing_package: (f, v) => {
      f.missingPackages.push(v);
    },
    dpkg_interrupted: (f) => {
      f.dpkgInterrupted = true;
    },
    cloud_init: (f) => {
      f.cloudInit = true;
    },
  },
};
