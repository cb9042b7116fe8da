import { GC_LAUNCHER, GC_SERVICE, GC_SERVICE_PATH, GC_TIMER, GC_TIMER_PATH } from '../../render/gc-units.js';
import type { FactPart, GcFacts, Facts } from './types.js';

const gc = (f: Facts): GcFacts => (f.gc ??= {});

/**
 * --gc-after: the service, the timer and the launcher (hashes, the launcher's mode and DAYS), the timer's state,
 * and the service's last run: its result, exit status and end (systemd's times turned into UTC ISO by `date`).
 * Nothing is printed when none of the three files is there.
 */
export const gcPart: FactPart = {
  name: 'gc',
  script: () => `
gcl="$HOME/${GC_LAUNCHER}"
if [ -f ${GC_SERVICE_PATH} ] || [ -f ${GC_TIMER_PATH} ] || [ -f "$gcl" ]; then
  echo gc_any=1
  [ -f ${GC_SERVICE_PATH} ] && echo "gc_service_sha256=$(sha256sum < ${GC_SERVICE_PATH} | cut -d' ' -f1)"
  [ -f ${GC_TIMER_PATH} ] && echo "gc_timer_sha256=$(sha256sum < ${GC_TIMER_PATH} | cut -d' ' -f1)"
  if [ -f "$gcl" ]; then
    echo "gc_launcher_sha256=$(sha256sum < "$gcl" | cut -d' ' -f1)"
    echo "gc_launcher_mode=$(stat -c %a "$gcl")"
    sed -n "s/^ *--older-than '\\{0,1\\}\\([0-9][0-9]*\\)d.*/gc_days=\\1/p" "$gcl"
  fi
  systemctl show ${GC_TIMER} -p ActiveState -p UnitFileState 2>/dev/null | sed 's/^/gc_timer_/'
  systemctl show ${GC_SERVICE} -p Result -p ExecMainStatus 2>/dev/null | sed 's/^/gc_service_/'
  gct=$(systemctl show ${GC_SERVICE} -p ExecMainExitTimestamp --value 2>/dev/null)
  [ -n "$gct" ] && echo "gc_last_run=$(date -u -d "$gct" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null)"
  gct=$(systemctl show ${GC_TIMER} -p NextElapseUSecRealtime --value 2>/dev/null)
  [ -n "$gct" ] && echo "gc_next_run=$(date -u -d "$gct" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null)"
fi
`,
  keys: {
    gc_any: (f) => void gc(f),
    gc_service_sha256: (f, v) => void (gc(f).serviceSha256 = v),
    gc_timer_sha256: (f, v) => void (gc(f).timerSha256 = v),
    gc_launcher_sha256: (f, v) => void (gc(f).launcherSha256 = v),
    gc_launcher_mode: (f, v) => {
      if (/^[0-7]{3,4}$/.test(v)) gc(f).launcherMode = parseInt(v, 8);
    },
    gc_days: (f, v) => {
      if (/^\d+$/.test(v)) gc(f).days = Number(v);
    },
    gc_timer_ActiveState: (f, v) => void (gc(f).timerActive = v),
    gc_timer_UnitFileState: (f, v) => void (gc(f).timerEnabled = v === 'enabled'),
    gc_service_Result: (f, v) => void (gc(f).result = v),
    gc_service_ExecMainStatus: (f, v) => {
      if (/^\d+$/.test(v)) gc(f).exitStatus = Number(v);
    },
    gc_last_run: (f, v) => {
      if (v) gc(f).lastRun = v;
    },
    gc_next_run: (f, v) => {
      if (v) gc(f).nextRun = v;
    },
  },
};
