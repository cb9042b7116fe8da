import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  CADDYFILE,
  CADDYFILE_MARKER,
  CADDY_UNIT,
  PROXY_DIR,
  REQUIRED_PACKAGES,
  SERVER_PROCESS_FUNCTIONS,
  sha256
} from "./chunk-B6JPNPE7.js";
import {
  cmd,
  shq
} from "./chunk-DOFNX5A2.js";
import {
  UNIT_NAME,
  UNIT_PATH
} from "./chunk-UMUOKFXQ.js";

// src/plan/commands.ts
var APT_LOCK_WAIT_SEC = 300;
var APT = [
  "sudo -n env DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a NEEDRESTART_SUSPEND=1",
  "apt-get -y -q",
  `-o DPkg::Lock::Timeout=${APT_LOCK_WAIT_SEC}`,
  "-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"
].join(" ");
function aptWaitingForLocks(args) {
  const tries = APT_LOCK_WAIT_SEC / 5;
  const attempt = `${APT} ${args} 2>&1 | tee "$out"; rc=\${PIPESTATUS[0]}`;
  return [
    "out=$(mktemp) || exit 1",
    attempt,
    `for i in $(seq 1 ${tries}); do`,
    '  [ "$rc" = 0 ] && break',
    '  grep -q "Could not get lock" "$out" || break',
    '  holder=$(grep -o "held by process [0-9]*" "$out" | head -n 1 | grep -o "[0-9]*$")',
    '  name=$( [ -n "$holder" ] && ps -o comm= -p "$holder")',
    `  echo "Waiting for the apt lock, held by \${name:-another process}\${holder:+ (pid $holder)}: $((i * 5)) of ${APT_LOCK_WAIT_SEC} s"`,
    "  sleep 5",
    `  ${attempt}`,
    "done",
    `[ "$rc" != 0 ] && grep -q "Could not get lock" "$out" && echo "The apt lock was still held after ${APT_LOCK_WAIT_SEC} s."`,
    'rm -f "$out"',
    'exit "$rc"'
  ].join("\n");
}
function aptInstallCommand(packages, update = false) {
  const install = { label: `apt-get install ${packages.join(" ")}`, args: `install --no-install-recommends ${packages.map(shq).join(" ")}` };
  return {
    label: update ? `apt-get update and ${install.label}` : install.label,
    command: update ? `(${aptWaitingForLocks("update")}) && (${aptWaitingForLocks(install.args)})` : aptWaitingForLocks(install.args),
    timeoutSec: 4 * APT_LOCK_WAIT_SEC + 1200
  };
}
function packageCommands(opts) {
  const steps = [];
  if (opts.cloudInit) {
    steps.push({ label: "wait for cloud-init to finish", command: "sudo -n cloud-init status --wait >/dev/null; true", timeoutSec: 900 });
  }
  if (opts.dpkgInterrupted) {
    const tries = APT_LOCK_WAIT_SEC / 5;
    steps.push({
      label: "finish an interrupted dpkg run (dpkg --configure -a)",
      command: [
        `for i in $(seq 1 ${tries}); do`,
        '  out=$(sudo -n env DEBIAN_FRONTEND=noninteractive dpkg --force-confdef --force-confold --configure -a 2>&1) && { printf "%s\n" "$out"; exit 0; }',
        '  case "$out" in',
        '    *"lock"*)',
        '      holder=$(printf "%s\n" "$out" | grep -o "pid [0-9]*" | head -n 1 | cut -d" " -f2)',
        '      name=$( [ -n "$holder" ] && ps -o comm= -p "$holder")',
        `      echo "Waiting for the dpkg lock, held by \${name:-another process}\${holder:+ (pid $holder)}: $((i * 5 - 5)) of ${APT_LOCK_WAIT_SEC} s"`,
        "      sleep 5;;",
        '    *) printf "%s\n" "$out"; exit 1;;',
        "  esac",
        `done; echo "The dpkg lock was still held after ${APT_LOCK_WAIT_SEC} s."; exit 1`
      ].join("\n"),
      timeoutSec: APT_LOCK_WAIT_SEC + 600
    });
  }
  if (opts.fullUpgrade) {
    steps.push({ label: "apt-get update", command: aptWaitingForLocks("update"), timeoutSec: 2 * APT_LOCK_WAIT_SEC + 600 });
    steps.push({ label: "apt-get upgrade", command: aptWaitingForLocks("upgrade"), timeoutSec: 2 * APT_LOCK_WAIT_SEC + 1800 });
  }
  steps.push({
    label: `apt-get install ${REQUIRED_PACKAGES.join(" ")}`,
    command: aptWaitingForLocks(`install --no-install-recommends ${REQUIRED_PACKAGES.join(" ")}`),
    timeoutSec: 2 * APT_LOCK_WAIT_SEC + 1200
  });
  return steps;
}
function pythonCommands(layout, opts) {
  const steps = [];
  if (opts.recreate) {
    steps.push({
      label: `python3 -m venv ${layout.venv}`,
      command: `rm -rf ${shq(layout.venv)} && python3 -m venv ${shq(layout.venv)}`,
      timeoutSec: 300
    });
  }
  const name = opts.extras?.length ? `mlflow[${opts.extras.join(",")}]` : "mlflow";
  const spec = opts.mlflowVersion ? `${name}==${opts.mlflowVersion}` : name;
  const upgrade = opts.upgrade || Boolean(opts.mlflowVersion) ? ["--upgrade"] : [];
  const packages = ["psycopg2-binary", ...opts.packages ?? []];
  const bin = (tool) => shq(`${layout.venv}/bin/${tool}`);
  const pip = cmd(`${layout.venv}/bin/pip`, "install", "--disable-pip-version-check", "--progress-bar", "off", ...upgrade, spec, ...packages);
  steps.push({
    label: `install ${spec} ${packages.join(" ")} with uv (pip if uv fails)`,
    // uv (from the same index, into the venv) installs the same wheels in a third of pip's time and upgrades in
    // a second (docs/benchmarks.md). It reads no pip.conf, so it gets pip's index: a mirror set up for pip is
    // used by both. --compile-bytecode, or the server's first start takes 10 s longer. pip stays the fallback.
    command: [
      `idx=$(${bin("pip")} config list 2>/dev/null | sed -n "s/^[a-z]*\\.index-url='\\(.*\\)'$/\\1/p" | tail -n 1)`,
      `if [ -x ${bin("uv")} ] || ${bin("pip")} install -q --disable-pip-version-check --progress-bar off uv; then`,
      `  ${cmd(`${layout.venv}/bin/uv`, "pip", "install", "--python", `${layout.venv}/bin/python`, "--compile-bytecode", ...upgrade)} \${idx:+--index-url "$idx"} ${cmd(spec, ...packages)} && exit 0`,
      '  echo "uv did not finish the install; trying pip"',
      "fi",
      `exec ${pip}`
    ].join("\n"),
    timeoutSec: 1800
  });
  return steps;
}
function removeLeftoverUploadsCommand(home, paths) {
  const ours = paths.filter((p) => p.startsWith(`${home}/`) && !p.slice(home.length + 1).includes("/") && /\.provision-[0-9a-f]{8}$/.test(p));
  return { label: `remove ${ours.length} leftover temporary upload(s)`, command: cmd("rm", "-f", "--", ...ours), timeoutSec: 30 };
}
function artifactsCommand(dir, user) {
  const parent = dir.replace(/\/[^/]+\/?$/, "") || "/";
  return {
    label: `create ${dir}`,
    command: [`sudo -n mkdir -p -- ${shq(parent)}`, `sudo -n mkdir -m 0750 -- ${shq(dir)}`, `sudo -n chown -h -- ${shq(user)}:"$(id -gn)" ${shq(dir)}`].join(
      " && "
    ),
    timeoutSec: 60
  };
}
function stopServerCommand(layout, stopGroups = [], opts = {}) {
  const pidFile = shq(layout.pidFile);
  const extra = stopGroups.filter((g) => Number.isInteger(g) && g > 1).join(" ");
  return {
    label: `stop the running server${extra ? ` and the leftover process group(s) ${extra.replace(/ /g, ", ")}` : ""}`,
    command: [
      SERVER_PROCESS_FUNCTIONS,
      `groups="${extra}"`,
      `recorded_server_alive ${pidFile} && groups="$pid $groups"`,
      // Only whole process groups are signalled (the launcher runs under setsid): never a bare PID that
      // may have been reused by an unrelated process.
      'alive() { for g in $groups; do pgrep -g "$g" >/dev/null && return 0; done; return 1; }',
      'for g in $groups; do kill -TERM -- "-$g" 2>/dev/null; done',
      "for i in $(seq 1 150); do alive || break; sleep 0.1; done",
      'if alive; then echo "the server did not stop within 15 s; killing it"; for g in $groups; do kill -KILL -- "-$g" 2>/dev/null; done; sleep 0.5; fi',
      opts.keepRecord ? `if [ -n "$fp" ]; then rm -f ${pidFile}; (umask 077; echo "0 0 $fp $salt" > ${pidFile}); else rm -f ${pidFile}; fi` : `rm -f ${pidFile}`,
      '[ -z "$groups" ] || echo "stopped process group(s)" $groups'
    ].join("\n"),
    timeoutSec: 60
  };
}
function startServerCommand(layout, fingerprint, salt = "") {
  const keyed = /^[0-9a-f]*$/.test(salt) ? salt : "";
  return {
    label: `nohup ${layout.launcher}`,
    command: [
      SERVER_PROCESS_FUNCTIONS,
      `cd ${shq(layout.home)}`,
      // Where this start's lines begin in the log: a failed start is explained from its own lines only.
      `echo "log_offset=$(stat -c %s ${shq(layout.log)} 2>/dev/null || echo 0)"`,
      `setsid nohup ${shq(layout.launcher)} </dev/null >>${shq(layout.log)} 2>&1 &`,
      "pid=$!",
      'start=""',
      `for i in 1 2 3 4 5 6 7 8 9 10; do start_ticks "$pid" && start=$ticks && break; sleep 0.1; done`,
      // 0600 like the secrets it fingerprints; rm first, as `>` keeps the mode of an existing file.
      `rm -f ${shq(layout.pidFile)}`,
      `(umask 077; echo "$pid $start ${fingerprint}${keyed ? ` ${keyed}` : ""}" > ${shq(layout.pidFile)})`,
      'echo "started pid $pid"'
    ].join("\n"),
    timeoutSec: 30
  };
}
function serverAliveCommand(layout) {
  return {
    label: "is the server alive",
    command: `${SERVER_PROCESS_FUNCTIONS}
recorded_server_alive ${shq(layout.pidFile)}`,
    timeoutSec: 15
  };
}
function logTailCommand(layout, lines = 20, fromByte = 0) {
  const from = Number.isInteger(fromByte) && fromByte > 0 ? `tail -c +${fromByte + 1} ${shq(layout.log)} | ` : "";
  return { label: `tail ${layout.log}`, command: `${from}tail -n ${lines} ${from ? "" : `${shq(layout.log)} `}2>/dev/null`, timeoutSec: 15 };
}
function dbUpgradeCommand(layout, uriWithoutPassword, password) {
  return {
    label: `mlflow db upgrade ${uriWithoutPassword} (password in PGPASSWORD, from stdin)`,
    command: [
      `cd ${shq(layout.home)}`,
      'IFS= read -r PGPASSWORD || [ -n "$PGPASSWORD" ]',
      "export PGPASSWORD",
      // Standard input stays open (see ExecOptions.stdin): nothing after the password reads it.
      `exec ${shq(`${layout.venv}/bin/mlflow`)} db upgrade ${shq(uriWithoutPassword)} </dev/null`
    ].join("\n"),
    timeoutSec: 3600,
    stdin: password
  };
}
function installedMlflowVersionCommand(layout) {
  return {
    label: "installed MLflow version",
    command: `${shq(`${layout.venv}/bin/python`)} -c 'import importlib.metadata as m; print(m.version("mlflow"))'`,
    timeoutSec: 60
  };
}

// src/plan/unit-commands.ts
function unitUploadPath(layout) {
  return `${layout.home}/.${UNIT_NAME}`;
}
function installUnitCommand(layout) {
  const uploaded = shq(unitUploadPath(layout));
  return {
    label: `install ${UNIT_PATH} and reload systemd`,
    command: `sudo -n install -m 0644 -o root -g root ${uploaded} ${UNIT_PATH} && rm -f ${uploaded} && sudo -n systemctl daemon-reload`,
    timeoutSec: 60
  };
}
function startUnitCommand(layout, fingerprint, salt = "") {
  const keyed = /^[0-9a-f]*$/.test(salt) ? salt : "";
  return {
    label: `systemctl enable and restart ${UNIT_NAME}`,
    command: [
      SERVER_PROCESS_FUNCTIONS,
      `: >> ${shq(layout.log)}`,
      `echo "log_offset=$(stat -c %s ${shq(layout.log)} 2>/dev/null || echo 0)"`,
      // reset-failed: a server that failed 5 times (StartLimitBurst) would be refused a start.
      `sudo -n systemctl reset-failed ${UNIT_NAME} 2>/dev/null`,
      `sudo -n systemctl enable --quiet ${UNIT_NAME} && sudo -n systemctl restart ${UNIT_NAME} || exit 1`,
      "pid=; start=",
      `for i in $(seq 1 50); do pid=$(systemctl show ${UNIT_NAME} -p MainPID --value); [ "$pid" != 0 ] && start_ticks "$pid" && start=$ticks && break; sleep 0.1; done`,
      '[ -n "$start" ] || { echo "systemd started no server process"; exit 1; }',
      `rm -f ${shq(layout.pidFile)}`,
      `(umask 077; echo "$pid $start ${fingerprint}${keyed ? ` ${keyed}` : ""}" > ${shq(layout.pidFile)})`,
      'echo "started pid $pid under systemd"'
    ].join("\n"),
    timeoutSec: 120
  };
}
function enableUnitCommand() {
  return { label: `systemctl enable ${UNIT_NAME}`, command: `sudo -n systemctl enable --quiet ${UNIT_NAME}`, timeoutSec: 60 };
}
function stopUnitCommand(layout) {
  return { label: `systemctl stop ${UNIT_NAME}`, command: `sudo -n systemctl stop ${UNIT_NAME}; rm -f ${shq(layout.pidFile)}`, timeoutSec: 90 };
}
function removeUnitCommand(layout) {
  return {
    label: `systemctl disable --now ${UNIT_NAME} and remove it`,
    command: [
      `sudo -n systemctl disable --now --quiet ${UNIT_NAME} 2>/dev/null`,
      `sudo -n systemctl reset-failed ${UNIT_NAME} 2>/dev/null`,
      `rm -f ${shq(layout.pidFile)}`,
      `sudo -n rm -f ${UNIT_PATH} && sudo -n systemctl daemon-reload`
    ].join("\n"),
    timeoutSec: 90
  };
}

// src/plan/server-plan.ts
function describeListeners(listeners) {
  const groups = /* @__PURE__ */ new Map();
  for (const l of listeners) if (!groups.has(l.pgid ?? l.pid)) groups.set(l.pgid ?? l.pid, l);
  const named = [...groups.values()].map((l) => `"${l.command || "unknown"}" (pid ${l.pid}, user ${l.user || "unknown"})`);
  return named.length > 3 ? `${named.slice(0, 3).join(", ")} and ${named.length - 3} more` : named.join(", ");
}
function foreignListeners(facts) {
  const ours = facts.server.running ? facts.server.pid : void 0;
  return facts.listeners.filter((l) => !l.ours && l.pgid !== ours && l.pid !== ours);
}
function portProblem(facts, desired, address) {
  const foreign = foreignListeners(facts);
  if (foreign.length === 0) return void 0;
  return `Port ${desired.port} on ${address} is already in use by ${describeListeners(foreign)}, which provision did not start: stop it or choose another --mlflow-port. Nothing was changed or killed.`;
}
function planServer(facts, desired) {
  return desired.supervisor === "systemd" ? planUnit(facts, desired) : planNohup(facts, desired);
}
function leftovers(facts, live, port) {
  const others = facts.listeners.filter((l) => l.ours && l.pgid !== live && l.pid !== live);
  const stopGroups = leftoverGroups(facts, live);
  return { stopGroups, held: others.length > 0 ? `processes of an earlier MLflow server (${describeListeners(others)}) hold port ${port}` : "" };
}
function leftoverGroups(facts, live) {
  return [...new Set(facts.listeners.filter((l) => l.ours && l.pgid !== live && l.pid !== live).map((l) => l.pgid ?? l.pid))];
}
function planNohup(facts, desired) {
  const unit = facts.supervisor.unit;
  if (unit?.sha256 !== void 0) {
    const { stopGroups: stopGroups2 } = leftovers(facts, unit.mainPid, desired.port);
    return { change: true, action: "restart", stopGroups: stopGroups2, switchFrom: "systemd", reason: "the server runs under systemd; --supervisor nohup asked for" };
  }
  const ours = facts.server.running ? facts.server.pid : void 0;
  const { stopGroups, held } = leftovers(facts, ours, desired.port);
  if (!ours) {
    if (held) return { change: true, action: "restart", stopGroups, reason: `the server is not running; ${held}` };
    return { change: true, action: "start", stopGroups, reason: "the server is not running" };
  }
  if (held) return { change: true, action: "restart", stopGroups, reason: held };
  if (facts.server.fingerprint !== desired.fingerprint) {
    return { change: true, action: "restart", stopGroups, reason: "the server runs an older configuration" };
  }
  return { change: false, action: "keep", stopGroups, reason: `running as pid ${ours} with this configuration` };
}
function planUnit(facts, desired) {
  const unit = facts.supervisor.unit ?? {};
  const running = unit.active === "active" && unit.mainPid !== void 0;
  const live = running ? unit.mainPid : void 0;
  const nohup = facts.server.running && facts.server.pid !== void 0 && facts.server.pid !== unit.mainPid ? facts.server.pid : void 0;
  const { stopGroups, held } = leftovers(facts, live, desired.port);
  const writeUnit = unit.sha256 !== sha256(desired.unit ?? "");
  const base = { stopGroups: nohup && !stopGroups.includes(nohup) ? [...stopGroups, nohup] : stopGroups, writeUnit };
  if (unit.sha256 === void 0) {
    const from = nohup || held ? { switchFrom: "nohup" } : {};
    return {
      change: true,
      action: nohup || held ? "restart" : "start",
      ...base,
      ...from,
      reason: nohup ? "the server runs under nohup; --supervisor systemd asked for" : held || "no systemd unit yet"
    };
  }
  if (!running)
    return { change: true, action: held ? "restart" : "start", ...base, reason: `the unit is ${unit.active ?? "not loaded"}${held ? `; ${held}` : ""}` };
  if (held || nohup) return { change: true, action: "restart", ...base, reason: held || `a server under nohup (pid ${nohup}) runs beside the unit` };
  if (writeUnit) return { change: true, action: "restart", ...base, reason: "the unit file differs from the one this configuration needs" };
  if (unit.needsReload) return { change: true, action: "restart", ...base, reason: "the unit file changed since systemd read it" };
  if (unit.fingerprint !== desired.fingerprint) return { change: true, action: "restart", ...base, reason: "the server runs an older configuration" };
  if (!unit.enabled) return { change: true, action: "keep", ...base, enable: true, reason: `running as pid ${live} under systemd, not enabled at boot` };
  return { change: false, action: "keep", ...base, reason: `running as pid ${live} under systemd with this configuration` };
}
function supervisorProblem(facts, desired, address) {
  if (desired.supervisor !== "systemd" || facts.supervisor.systemd) return void 0;
  return `--supervisor systemd needs systemd as the init system of ${address}, which this VM does not run (no /run/systemd/system): use --supervisor nohup there.`;
}

// src/plan/proxy-commands.ts
var CADDYFILE_BACKUP = `${CADDYFILE}.before-provision`;
var CADDY_REPO = {
  key: "https://dl.cloudsmith.io/public/caddy/stable/gpg.key",
  keyring: "/usr/share/keyrings/caddy-stable-archive-keyring.gpg",
  list: "/etc/apt/sources.list.d/caddy-stable.list",
  line: "deb [signed-by=/usr/share/keyrings/caddy-stable-archive-keyring.gpg] https://dl.cloudsmith.io/public/caddy/stable/deb/debian any-version main"
};
function archiveHasCaddy(osId, osVersion) {
  if (osId === "ubuntu") return Number.parseFloat(osVersion) >= 24.04;
  return true;
}
function installCaddyCommands(osId, osVersion) {
  if (archiveHasCaddy(osId, osVersion)) return [aptInstallCommand(["caddy"], true)];
  return [
    {
      label: `add Caddy's apt repository (${CADDY_REPO.list}; ${osId} ${osVersion} has no caddy package)`,
      command: [
        `curl -fsSL ${shq(CADDY_REPO.key)} | sudo -n gpg --batch --yes --dearmor -o ${CADDY_REPO.keyring}`,
        `echo ${shq(CADDY_REPO.line)} | sudo -n tee ${CADDY_REPO.list} >/dev/null`
      ].join(" && "),
      timeoutSec: 120
    },
    aptInstallCommand(["caddy"], true)
  ];
}
function proxyUploadPath(home, name) {
  return `${home}/.provision-caddy-${name}`;
}
function installProxyFilesCommand(files) {
  const lines = [`sudo -n install -d -m 0750 -o root -g caddy ${PROXY_DIR} || exit 1`, "rc=0"];
  for (const f of files) {
    lines.push(`sudo -n install -m 0${f.mode.toString(8)} -o ${f.owner} -g ${f.owner === "root" ? "caddy" : f.owner} ${shq(f.upload)} ${shq(f.path)} || rc=1`);
  }
  lines.push(`rm -f ${files.map((f) => shq(f.upload)).join(" ")}`, "exit $rc");
  return { label: `install ${files.map((f) => f.path).join(", ")}`, command: lines.join("\n"), timeoutSec: 60 };
}
function installCaddyfileCommand(upload) {
  return {
    label: `install ${CADDYFILE}`,
    command: [
      `if [ -f ${CADDYFILE} ] && ! head -n 1 ${CADDYFILE} | grep -q ${shq(`^${CADDYFILE_MARKER}`)} && [ ! -e ${CADDYFILE_BACKUP} ]; then sudo -n cp -p ${CADDYFILE} ${CADDYFILE_BACKUP} && echo "kept the earlier Caddyfile as ${CADDYFILE_BACKUP}"; fi`,
      `sudo -n install -m 0644 -o root -g root ${shq(upload)} ${CADDYFILE}; rc=$?`,
      `rm -f ${shq(upload)}`,
      "exit $rc"
    ].join("\n"),
    timeoutSec: 60
  };
}
function removeProxyFilesCommand(paths) {
  return { label: `remove ${paths.join(", ")}`, command: `sudo -n rm -f ${paths.map(shq).join(" ")}`, timeoutSec: 30 };
}
var RELOAD_WAIT_SEC = 30;
function applyCaddyCommand(running) {
  const validate = `sudo -n -u caddy caddy validate --adapter caddyfile --config ${CADDYFILE}`;
  const go = running ? `sudo -n timeout ${RELOAD_WAIT_SEC} systemctl reload ${CADDY_UNIT} || { echo "reload failed: restarting Caddy"; sudo -n systemctl restart ${CADDY_UNIT}; }` : `sudo -n systemctl reset-failed ${CADDY_UNIT} 2>/dev/null; sudo -n systemctl restart ${CADDY_UNIT}`;
  return {
    label: running ? `caddy validate, systemctl reload ${CADDY_UNIT}` : `caddy validate, systemctl enable and start ${CADDY_UNIT}`,
    command: [
      `out=$(cd / && ${validate} 2>&1) || { printf '%s
' "$out" | grep -v '"level":"info"'; echo "caddy validate refused ${CADDYFILE}"; exit 1; }`,
      `sudo -n systemctl enable --quiet ${CADDY_UNIT} && { ${go}; }`
    ].join("\n"),
    timeoutSec: 180
  };
}
function enableCaddyCommand() {
  return { label: `systemctl enable ${CADDY_UNIT}`, command: `sudo -n systemctl enable --quiet ${CADDY_UNIT}`, timeoutSec: 60 };
}
function removeProxyCommand() {
  return {
    label: `systemctl disable --now ${CADDY_UNIT}, remove ${CADDYFILE} and ${PROXY_DIR}`,
    command: [
      `sudo -n systemctl disable --now --quiet ${CADDY_UNIT} 2>/dev/null`,
      `sudo -n systemctl reset-failed ${CADDY_UNIT} 2>/dev/null`,
      // Ours goes; the Caddyfile it replaced (the package's) comes back, for a Caddy that is off anyway.
      `if head -n 1 ${CADDYFILE} 2>/dev/null | grep -q ${shq(`^${CADDYFILE_MARKER}`)}; then sudo -n rm -f ${CADDYFILE}; [ -f ${CADDYFILE_BACKUP} ] && sudo -n mv ${CADDYFILE_BACKUP} ${CADDYFILE}; fi`,
      `sudo -n rm -rf ${PROXY_DIR}`
    ].join("\n"),
    timeoutSec: 90
  };
}
function caddyJournalCommand(lines = 20) {
  return { label: `journalctl -u ${CADDY_UNIT}`, command: `sudo -n journalctl -u ${CADDY_UNIT} -n ${lines} --no-pager -o cat 2>&1`, timeoutSec: 30 };
}

export {
  portProblem,
  planServer,
  leftoverGroups,
  supervisorProblem,
  packageCommands,
  pythonCommands,
  removeLeftoverUploadsCommand,
  artifactsCommand,
  stopServerCommand,
  startServerCommand,
  serverAliveCommand,
  logTailCommand,
  dbUpgradeCommand,
  installedMlflowVersionCommand,
  installCaddyCommands,
  proxyUploadPath,
  installProxyFilesCommand,
  installCaddyfileCommand,
  removeProxyFilesCommand,
  applyCaddyCommand,
  enableCaddyCommand,
  removeProxyCommand,
  caddyJournalCommand,
  unitUploadPath,
  installUnitCommand,
  startUnitCommand,
  enableUnitCommand,
  stopUnitCommand,
  removeUnitCommand
};
