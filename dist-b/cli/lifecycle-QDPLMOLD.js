import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  leftoverGroups,
  logTailCommand,
  removeProxyCommand,
  removeUnitCommand,
  startServerCommand,
  startUnitCommand,
  stopServerCommand
} from "./chunk-V36IONCM.js";
import {
  artifactsPathProblem
} from "./chunk-AKH7ILIC.js";
import {
  buildStatusScript,
  launcherFlag,
  parseStatusExtras
} from "./chunk-55S57DZM.js";
import {
  CADDYFILE,
  PROXY_DIR,
  Remote,
  configFingerprint,
  httpOnVm,
  newFingerprintSalt,
  parseFacts,
  parseSecretsEnv,
  remoteLayout
} from "./chunk-B6JPNPE7.js";
import {
  StepError,
  errorMessage,
  shq
} from "./chunk-DOFNX5A2.js";
import {
  UNIT_NAME,
  UNIT_PATH
} from "./chunk-UMUOKFXQ.js";
import {
  Secret,
  maskSecrets
} from "./chunk-AQLCKWIG.js";
import "./chunk-WWIPIQSO.js";
import "./chunk-V4RWK56N.js";

// src/plan/lifecycle.ts
function supervisorOf(facts) {
  return facts.supervisor.unit?.sha256 !== void 0 ? "systemd" : "nohup";
}
function strayGroups(facts) {
  const live = facts.supervisor.unit?.mainPid ?? (facts.server.running ? facts.server.pid : void 0);
  return leftoverGroups(facts, live);
}
function planStop(facts, layout) {
  const stray = strayGroups(facts);
  if (supervisorOf(facts) === "systemd") {
    const active = facts.supervisor.unit?.active;
    if (active !== "active" && active !== "activating" && active !== "reloading" && stray.length === 0) {
      return { change: false, reason: `not running (${UNIT_NAME} is ${active ?? "not loaded"})`, commands: [] };
    }
    const commands = [{ label: `systemctl stop ${UNIT_NAME}`, command: `sudo -n systemctl stop ${UNIT_NAME}`, timeoutSec: 90 }];
    if (stray.length > 0) commands.push(stopServerCommand(layout, stray, { keepRecord: true }));
    return { change: true, reason: `stopped ${UNIT_NAME}; it starts again at boot (provision start, or a provision rerun, starts it now)`, commands };
  }
  if (!facts.server.running && stray.length === 0) return { change: false, reason: "not running", commands: [] };
  return {
    change: true,
    reason: `stopped${facts.server.pid ? ` pid ${facts.server.pid}` : ""}; provision start (or a provision rerun) starts it again`,
    commands: [stopServerCommand(layout, stray, { keepRecord: true })]
  };
}
function planRemove(facts, layout, artifacts) {
  const commands = [];
  const removed = [];
  const kept = [];
  if (supervisorOf(facts) === "systemd") {
    commands.push(removeUnitCommand(layout));
    removed.push(UNIT_PATH);
  }
  commands.push(stopServerCommand(layout, strayGroups(facts)));
  if (facts.proxy.ours || facts.proxy.dir) {
    commands.push(removeProxyCommand());
    removed.push(CADDYFILE, PROXY_DIR);
  }
  const files = [layout.launcher, layout.secrets, layout.authIni, layout.pgRootCert, layout.pidFile, ...facts.leftoverUploads];
  commands.push({ label: `remove ${files.length} files of provision`, command: `rm -f -- ${files.map(shq).join(" ")}`, timeoutSec: 30 });
  removed.push(layout.launcher, layout.secrets, layout.pidFile);
  if (facts.venvPython || facts.mlflowVersion) {
    commands.push({ label: `remove ${layout.venv}`, command: `rm -rf -- ${shq(layout.venv)}`, timeoutSec: 300 });
    removed.push(layout.venv);
  }
  const folder = artifacts.path;
  if (folder && artifacts.purge) {
    const problem = artifactsPathProblem(folder) ?? (folder === layout.home || layout.home.startsWith(`${folder}/`) ? "it holds the home folder" : void 0);
    if (problem) kept.push(`${folder} (not removed: ${problem})`);
    else {
      commands.push({ label: `remove the artifacts folder ${folder}`, command: `rm -rf -- ${shq(folder)}`, timeoutSec: 600 });
      removed.push(folder);
    }
  } else if (folder) kept.push(`${folder} (the artifacts; --purge-artifacts removes it)`);
  kept.push(`${layout.log} (the log)`, "the database and its data", "the apt packages (python3, postgresql-client, caddy)");
  const provisioned = facts.files.launcher.sha256 !== void 0 || facts.files.secrets.sha256 !== void 0 || facts.venvPython || supervisorOf(facts) === "systemd";
  if (!provisioned && !facts.proxy.ours && !facts.proxy.dir && !(folder && artifacts.purge && removed.includes(folder))) {
    return { change: false, reason: "nothing of provision is on this VM", commands: [], removed: [], kept };
  }
  return { change: true, reason: `removed ${removed.join(", ")}`, commands, removed, kept };
}

// src/run/lifecycle.ts
var HEALTH_WAIT_SEC = 120;
async function readState(remote, target, config) {
  const port0 = target.overrides.port ?? config.port;
  const res = await remote.exec(buildStatusScript(port0, config.lines), { timeoutSec: 60 });
  if (!res.stdout.includes("probe_done=1")) throw new StepError(`Reading the VM's state failed (exit ${res.code}).`);
  const facts = parseFacts(res.stdout);
  const extras = parseStatusExtras(res.stdout);
  parseSecretsEnv(extras.secrets.join("\n"));
  const destination = launcherFlag(extras.launcher, "--artifacts-destination");
  return {
    facts,
    layout: remoteLayout(facts.home),
    port: Number(launcherFlag(extras.launcher, "--port") ?? port0),
    ...destination?.startsWith("/") ? { artifacts: destination } : {},
    log: extras.log.map((l) => maskSecrets(l))
  };
}
async function runAll(remote, commands) {
  for (const c of commands) {
    const res = await remote.exec(c.command, { timeoutSec: c.timeoutSec });
    if (res.code !== 0) {
      const last = `${res.stderr}
${res.stdout}`.trim().split("\n").slice(-1)[0] ?? "";
      throw new StepError(`"${c.label}" failed (exit ${res.code})${last ? `: ${maskSecrets(last)}` : ""}.`);
    }
  }
}
async function fingerprintOnVm(remote, layout) {
  const b64 = (path, key) => `[ -f ${shq(path)} ] && printf '${key}=%s\\n' "$(base64 -w0 < ${shq(path)})"`;
  const script = [
    b64(layout.launcher, "launcher"),
    b64(layout.secrets, "secrets"),
    b64(layout.authIni, "auth"),
    `[ -f ${shq(layout.pidFile)} ] && { read -r _ _ _ s < ${shq(layout.pidFile)}; echo "salt=$s"; }`,
    "true"
  ].join("\n");
  const out = (await remote.exec(script, { timeoutSec: 30 })).stdout;
  const field = (k) => new RegExp(`^${k}=(.*)$`, "m").exec(out)?.[1];
  const decode = (v) => v === void 0 ? void 0 : Buffer.from(v, "base64").toString("utf8");
  const launcher = decode(field("launcher"));
  const secrets = decode(field("secrets"));
  if (launcher === void 0 || secrets === void 0)
    throw new StepError(`This VM is not provisioned (no ${launcher === void 0 ? layout.launcher : layout.secrets}): run provision first.`);
  const secret = new Secret(secrets);
  const kept = field("salt") ?? "";
  const salt = /^[0-9a-f]{32}$/.test(kept) ? kept : newFingerprintSalt();
  return { fingerprint: configFingerprint(launcher, secret, decode(field("auth")), salt), salt };
}
async function waitForHealth(remote, state, target) {
  const deadline = Date.now() + HEALTH_WAIT_SEC * 1e3;
  let last = "no answer";
  while (Date.now() < deadline) {
    if (remote.isClosed) throw new StepError(`The SSH connection to ${target.address} dropped while waiting for /health.`);
    try {
      const res = await httpOnVm(remote, state.port, { path: "/health", timeoutMs: 5e3 });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = errorMessage(err);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const tail = logTailCommand(state.layout, 5);
  const lines = (await remote.exec(tail.command, { timeoutSec: tail.timeoutSec }).catch(() => ({ stdout: "" }))).stdout.trim();
  throw new StepError(`The server did not answer /health within ${HEALTH_WAIT_SEC} s (${last}); last log lines: ${maskSecrets(lines.split("\n").join(" | "))}`);
}
async function start(remote, state, target) {
  const { fingerprint, salt } = await fingerprintOnVm(remote, state.layout);
  const systemd = supervisorOf(state.facts) === "systemd";
  await runAll(remote, [systemd ? startUnitCommand(state.layout, fingerprint, salt) : startServerCommand(state.layout, fingerprint, salt)]);
  await waitForHealth(remote, state, target);
  return systemd ? "started under systemd, /health ok" : "started, /health ok";
}
async function onHost(target, config, remote, state) {
  const provisioned = state.facts.files.launcher.sha256 !== void 0;
  if (!provisioned && config.command !== "remove")
    throw new StepError(`${target.address} is not provisioned (no ${state.layout.launcher}): run provision first.`);
  const ok = (changed, summary) => ({ status: "ok", changed, summary });
  switch (config.command) {
    case "logs":
      return { ...ok(false, `last ${state.log.length} lines of ${state.layout.log}`), lines: state.log };
    case "stop": {
      const plan = planStop(state.facts, state.layout);
      await runAll(remote, plan.commands);
      return ok(plan.change, plan.reason);
    }
    case "start": {
      if (state.facts.server.running) {
        await waitForHealth(remote, state, target);
        return ok(false, `already running (pid ${state.facts.server.pid}), /health ok`);
      }
      return ok(true, await start(remote, state, target));
    }
    case "restart": {
      const stop = planStop(state.facts, state.layout);
      await runAll(remote, stop.commands);
      return ok(true, `re${await start(remote, state, target)}`);
    }
    case "remove": {
      const plan = planRemove(state.facts, state.layout, { ...state.artifacts ? { path: state.artifacts } : {}, purge: config.purgeArtifacts });
      if (!plan.change) return { ...ok(false, plan.reason), removed: [], kept: plan.kept };
      if (config.dryRun) return { ...ok(true, `would remove ${plan.removed.join(", ")}`), removed: plan.removed, kept: plan.kept };
      await runAll(remote, plan.commands);
      return { ...ok(true, plan.reason), removed: plan.removed, kept: plan.kept };
    }
  }
}
async function followLog(remote, layout, lines, onLine) {
  await remote.exec(`tail -n ${Number(lines)} -F ${shq(layout.log)}`, { timeoutSec: 7 * 24 * 3600, onLine: (l) => onLine(maskSecrets(l)) });
}
async function runLifecycle(config, hooks = {}) {
  const results = new Array(config.targets.length);
  let next = 0;
  const one = async (target) => {
    const started = Date.now();
    const base = { host: target.label, command: config.command };
    let remote;
    try {
      remote = await Remote.connect(target, config.ssh);
      hooks.onRemote?.(remote);
      const state = await readState(remote, target, config);
      const done = await onHost(target, config, remote, state);
      if (config.command === "logs" && config.follow) {
        for (const l of done.lines ?? []) hooks.onFollowLine?.(target.label, l);
        await followLog(remote, state.layout, 0, (l) => hooks.onFollowLine?.(target.label, l));
      }
      return { ...base, ...done, durationMs: Date.now() - started };
    } catch (err) {
      const status = remote ? "failed" : "unreachable";
      return { ...base, status, changed: false, summary: "", error: errorMessage(err), durationMs: Date.now() - started };
    } finally {
      remote?.close();
    }
  };
  const worker = async () => {
    while (next < config.targets.length) {
      const i = next++;
      results[i] = await one(config.targets[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.concurrency, config.targets.length) }, worker));
  return results;
}
export {
  runLifecycle
};
