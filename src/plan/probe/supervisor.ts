import { UNIT_NAME, UNIT_PATH } from '../../render/systemd-unit.js';
import { homeFile } from './part.js';
import type { FactPart } from './types.js';

/**
 * Whether systemd runs the VM (PID 1), and the MLflow unit as systemd sees it: its file's hash, whether it is
 * active and enabled, its main process and the configuration fingerprint in that process's environment (the
 * running server's, even after systemd restarted it), and the fingerprint salt kept in the PID file.
 */
export const supervisorPart: FactPart = {
  name: 'supervisor',
  sets: ['ump'],
  script: () => `
ump=
[ -d /run/systemd/system ] && echo systemd=1
if [ -f ${UNIT_PATH} ]; then
  echo "unit_sha256=$(sha256sum < ${UNIT_PATH} | cut -d' ' -f1)"
  systemctl show ${UNIT_NAME} -p ActiveState -p UnitFileState -p MainPID -p NeedDaemonReload -p ExecMainStartTimestampMonotonic 2>/dev/null | sed 's/^/unit_/'
  ump=$(systemctl show ${UNIT_NAME} -p MainPID --value 2>/dev/null); [ "$ump" = 0 ] && ump=
  # Only this one variable is printed: the rest of that environment holds the secrets.
  [ -n "$ump" ] && [ -r "/proc/$ump/environ" ] && tr '\\0' '\\n' < "/proc/$ump/environ" | sed -n 's/^PROVISION_FINGERPRINT=/unit_fingerprint=/p'
  [ -f ${homeFile('pidFile')} ] && { read -r _ _ _ us < ${homeFile('pidFile')}; echo "unit_salt=$us"; }
fi
`,
  keys: {
    systemd: (f) => {
      f.supervisor.systemd = true;
    },
    unit_sha256: (f, v) => {
      f.supervisor.unit = { ...f.supervisor.unit, sha256: v };
    },
    unit_ActiveState: (f, v) => {
      f.supervisor.unit = { ...f.supervisor.unit, active: v };
    },
    unit_UnitFileState: (f, v) => {
      f.supervisor.unit = { ...f.supervisor.unit, enabled: v === 'enabled' };
    },
    unit_MainPID: (f, v) => {
      if (Number(v) > 0) f.supervisor.unit = { ...f.supervisor.unit, mainPid: Number(v) };
    },
    unit_NeedDaemonReload: (f, v) => {
      f.supervisor.unit = { ...f.supervisor.unit, needsReload: v === 'yes' };
    },
    unit_ExecMainStartTimestampMonotonic: (f, v) => {
      if (Number(v) > 0) f.supervisor.unit = { ...f.supervisor.unit, startedMonotonicUs: Number(v) };
    },
    unit_fingerprint: (f, v) => {
      f.supervisor.unit = { ...f.supervisor.unit, fingerprint: v };
    },
    unit_salt: (f, v) => {
      if (/^[0-9a-f]{32}$/.test(v)) f.supervisor.unit = { ...f.supervisor.unit, salt: v };
    },
  },
};
