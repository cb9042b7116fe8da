import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  CADDYFILE,
  CADDYFILE_MARKER,
  PROBE_PARTS,
  Remote,
  caddyInternalRoot,
  checkDatabase,
  composeProbeScript,
  databaseSummary,
  homeFile,
  httpOnVm,
  judgeCertificate,
  judgeRunningServer,
  loadDatabaseDriver,
  parseFacts,
  parseSecretsEnv,
  readProbeOutput,
  remoteLayout,
  urlHost
} from "./chunk-B6JPNPE7.js";
import {
  errorMessage,
  shq
} from "./chunk-DOFNX5A2.js";
import {
  basicAuthHeader,
  maskSecrets,
  parseBackendUri
} from "./chunk-AQLCKWIG.js";

// src/plan/probe/status.ts
function emptyStatusExtras() {
  return { clkTck: 100, launcher: [], secrets: [], pgRoot: [], log: [], caddyfile: [] };
}
var uptimePart = {
  name: "uptime",
  script: () => `
read -r up _ < /proc/uptime; echo "sys_uptime=$up"
echo "clk_tck=$(getconf CLK_TCK 2>/dev/null || echo 100)"
[ -f ${homeFile("pidFile")} ] && { read -r spid start _ < ${homeFile("pidFile")}; echo "server_start_ticks=$start"; echo "server_start_pid=$spid"; }
`,
  keys: {
    sys_uptime: (x, _v, raw) => {
      x.sysUptime = Number(raw);
    },
    clk_tck: (x, _v, raw) => {
      x.clkTck = Number(raw) || 100;
    },
    server_start_ticks: (x, _v, raw) => {
      x.startTicks = Number(raw);
    },
    server_start_pid: (x, v) => {
      x.startPid = Number(v);
    }
  }
};
function fileLines(file, key, unterminated = false) {
  return `[ -r ${homeFile(file)} ] && while IFS= read -r l${unterminated ? ' || [ -n "$l" ]' : ""}; do printf '${key}=%s\\n' "$l"; done < ${homeFile(file)}`;
}
var launcherPart = {
  name: "launcher",
  script: () => fileLines("launcher", "launcher_line"),
  keys: {
    launcher_line: (x, _v, raw) => {
      x.launcher.push(raw);
    }
  }
};
var secretsPart = {
  name: "secrets",
  script: () => fileLines("secrets", "secret_line"),
  keys: {
    secret_line: (x, _v, raw) => {
      x.secrets.push(raw);
    }
  }
};
var pgRootPart = {
  name: "pg-root",
  script: () => fileLines("pgRootCert", "pg_root_line", true),
  keys: {
    pg_root_line: (x, _v, raw) => {
      x.pgRoot.push(raw);
    }
  }
};
var logPart = {
  name: "log",
  script: (input) => `[ -r ${homeFile("log")} ] && tail -n ${shq(input.logLines)} ${homeFile("log")} | while IFS= read -r l; do printf 'log_line=%s\\n' "$l"; done`,
  keys: {
    log_line: (x, _v, raw) => {
      x.log.push(raw);
    }
  }
};
var caddyfilePart = {
  name: "caddyfile",
  script: () => `head -n 1 ${CADDYFILE} 2>/dev/null | grep -q ${shq(`^${CADDYFILE_MARKER}`)} && while IFS= read -r l; do printf 'caddy_line=%s\\n' "$l"; done < ${CADDYFILE}`,
  keys: {
    caddy_line: (x, _v, raw) => {
      x.caddyfile.push(raw);
    }
  }
};
var STATUS_PARTS = [uptimePart, launcherPart, secretsPart, pgRootPart, logPart, caddyfilePart];
function caddySite(lines) {
  const mode = /\(--tls (\w+)\)/.exec(lines[0] ?? "")?.[1];
  const site = lines.find((l) => /^[^\s#{][^{]*\{\s*$/.test(l));
  if (!mode || !site) return void 0;
  const names = site.replace(/\{\s*$/, "").split(",").map((n) => n.trim().replace(/^\[(.*)\]$/, "$1")).filter(Boolean);
  return { mode, names };
}
function launcherFlag(lines, flag) {
  for (const l of lines) {
    const m = new RegExp(`^\\s*${flag} (\\S+)`).exec(l);
    if (m) return m[1].replace(/^'(.*)'$/, "$1");
  }
  return void 0;
}

// src/run/status-tls.ts
async function tlsStatus(remote, site, trust, now = /* @__PURE__ */ new Date()) {
  const name = site.names[0];
  const ca = trust ?? (site.mode === "internal" ? await caddyInternalRoot((port, req) => httpOnVm(remote, port, req)) : void 0);
  const status = { mode: site.mode, names: site.names, verified: false, problems: [] };
  try {
    const res = await httpOnVm(remote, 443, { path: "/health", timeoutMs: 5e3, tls: { servername: name, ...ca ? { ca } : {} } });
    status.verified = true;
    if (res.cert) {
      status.validTo = res.cert.validTo;
      status.issuer = res.cert.issuer;
    }
    status.problems = judgeCertificate({ name, mode: site.mode, ...res.cert ? { validFrom: res.cert.validFrom, validTo: res.cert.validTo } : {}, now });
    if (res.status !== 200) status.problems.push(`https://${name}/health answers HTTP ${res.status} through the proxy.`);
  } catch (err) {
    const hint = site.mode === "internal" || trust ? "" : " (a private or staging CA: pass its root with --tls-ca-cert)";
    status.problems = judgeCertificate({ name, mode: site.mode, error: `${errorMessage(err)}${hint}`, now });
  }
  return status;
}

// src/run/status.ts
var STATUS_LOG_LINES = 5;
function buildStatusScript(mlflowPort, logLines = STATUS_LOG_LINES) {
  return composeProbeScript([...PROBE_PARTS, ...STATUS_PARTS], { mlflowPort, logLines });
}
function parseStatusExtras(text) {
  const extras = emptyStatusExtras();
  readProbeOutput(text, STATUS_PARTS, extras);
  return extras;
}
function serverUptimeSec(facts, extras) {
  if (extras.sysUptime === void 0) return void 0;
  const unit = facts.supervisor.unit;
  if (unit?.active === "active" && unit.mainPid === facts.server.pid && unit.startedMonotonicUs !== void 0) {
    return Math.max(0, Math.round(extras.sysUptime - unit.startedMonotonicUs / 1e6));
  }
  const recorded = extras.startPid === void 0 || extras.startPid === facts.server.pid;
  if (!recorded || extras.startTicks === void 0) return void 0;
  return Math.max(0, Math.round(extras.sysUptime - extras.startTicks / extras.clkTck));
}
async function hostStatus(target, config) {
  const started = Date.now();
  const status = {
    host: target.label,
    healthy: false,
    problems: [],
    server: { running: false },
    mlflow: {},
    database: { reachable: false, detail: "not checked" },
    auth: "none",
    log: { lines: [] },
    durationMs: 0
  };
  const done = () => {
    status.healthy = status.problems.length === 0 && status.error === void 0;
    status.durationMs = Date.now() - started;
    return status;
  };
  let remote;
  try {
    void loadDatabaseDriver().catch(() => void 0);
    remote = await Remote.connect(target, {
      ...config.ssh,
      onNewHostKey: (fingerprint, type, recordedIn) => {
        status.newHostKey = { type, fingerprint, recordedIn };
      }
    });
    const port0 = target.overrides.port ?? config.port;
    const res = await remote.exec(buildStatusScript(port0), { timeoutSec: 60 });
    if (!res.stdout.includes("probe_done=1"))
      throw new Error(`reading the VM's state failed (exit ${res.code}): ${res.stderr.trim().split("\n").slice(-1)[0] ?? ""}`);
    const facts = parseFacts(res.stdout);
    const extras = parseStatusExtras(res.stdout);
    const layout = remoteLayout(facts.home);
    status.log.path = layout.log;
    if (facts.mlflowVersion) status.mlflow.installed = facts.mlflowVersion;
    const secrets = parseSecretsEnv(extras.secrets.join("\n"));
    const uri = secrets.get("MLFLOW_BACKEND_STORE_URI");
    if (uri) parseBackendUri(uri);
    status.log.lines = extras.log.map((l) => maskSecrets(l));
    if (extras.launcher.length === 0 || !uri) {
      status.problems.push(
        `${target.address} is not provisioned (no ${extras.launcher.length === 0 ? layout.launcher : layout.secrets}): run provision --host ${target.label}.`
      );
      return done();
    }
    const port = Number(launcherFlag(extras.launcher, "--port") ?? port0);
    const hostPart = urlHost(target.address);
    status.url = `http://${hostPart}:${port}`;
    status.auth = launcherFlag(extras.launcher, "--app-name") === "basic-auth" ? "basic" : "none";
    const adminPassword = secrets.get("MLFLOW_AUTH_ADMIN_PASSWORD");
    const adminUser = (extras.launcher.join("\n").match(/MLFLOW_AUTH_ADMIN_USERNAME=(\S+)/)?.[1] ?? "admin").replace(/^'(.*)'$/, "$1");
    const auth = status.auth === "basic" && adminPassword ? basicAuthHeader(adminUser, adminPassword) : void 0;
    const unit = facts.supervisor.unit;
    status.supervisor = unit?.sha256 !== void 0 ? "systemd" : "nohup";
    if (facts.server.running && facts.server.pid) {
      status.server = { running: true, pid: facts.server.pid };
      const uptime = serverUptimeSec(facts, extras);
      if (uptime !== void 0) status.server.uptimeSec = uptime;
    } else {
      const held = facts.listeners.length > 0 ? `; port ${port} is held by ${facts.listeners.map((l) => `pid ${l.pid} (${l.command.split(" ")[0]})`).join(", ")}` : "";
      status.problems.push(
        unit?.sha256 !== void 0 ? `The MLflow server is not running: its systemd unit is ${unit.active ?? "not loaded"} (see ${layout.log} and journalctl -u mlflow-server)${held}.` : `The MLflow server is not running (no live process in ${layout.pidFile})${held}.`
      );
    }
    const db = parseBackendUri(uri);
    const dbCheck = db ? (async () => {
      const withRoot = await vmRootCertificate(remote, db, facts.home, layout.pgRootCert, extras.pgRoot);
      if (typeof withRoot === "string") throw new Error(withRoot);
      return checkDatabase(remote, withRoot, 5e3);
    })() : void 0;
    const ask = (req) => httpOnVm(remote, port, { timeoutMs: 5e3, ...req }).catch((err) => ({ status: 0, body: errorMessage(err) }));
    const [dbResult, health, version, search] = await Promise.all([
      dbCheck ? dbCheck.then(
        (r) => ({ ok: true, r }),
        (err) => ({ ok: false, message: errorMessage(err) })
      ) : Promise.resolve(void 0),
      status.server.running || facts.listeners.length > 0 ? ask({ path: "/health" }) : Promise.resolve({ status: 0, body: "" }),
      status.server.running ? ask({ path: "/version", ...auth ? { headers: auth } : {} }) : Promise.resolve({ status: 0, body: "" }),
      status.server.running ? ask({
        method: "POST",
        path: "/api/2.0/mlflow/experiments/search",
        hostHeader: `${hostPart}:${port}`,
        body: '{"max_results":1}',
        ...auth ? { headers: auth } : {}
      }) : Promise.resolve({ status: 0, body: "" })
    ]);
    if (!db) {
      status.database = { reachable: false, detail: "the backend store URI in the secrets file is not a PostgreSQL URI" };
      status.problems.push(`${layout.secrets} holds no PostgreSQL URI this tool can check.`);
    } else if (dbResult?.ok) {
      status.database = { reachable: true, serverVersion: dbResult.r.serverVersion, detail: databaseSummary(dbResult.r, db) };
    } else {
      const message = dbResult && !dbResult.ok ? dbResult.message : "not checked";
      status.database = { reachable: false, detail: message };
      status.problems.push(message);
    }
    const site = caddySite(extras.caddyfile);
    if (site) {
      status.url = `https://${urlHost(site.names[0])}`;
      status.tls = await tlsStatus(remote, site, config.tlsTrust);
      status.problems.push(...status.tls.problems);
      if (facts.proxy.active !== "active")
        status.problems.push(`Caddy (the HTTPS proxy) is ${facts.proxy.active ?? "not running"}: see sudo journalctl -u caddy, or rerun provision.`);
    }
    if (status.server.running) {
      status.health = health.status;
      status.api = search.status;
      const judged = judgeRunningServer({ health, version, search, ...status.mlflow.installed ? { installedVersion: status.mlflow.installed } : {} });
      if (judged.runningVersion) status.mlflow.running = judged.runningVersion;
      status.problems.push(...judged.problems);
    }
    return done();
  } catch (err) {
    status.error = errorMessage(err);
    status.problems.push(status.error);
    return done();
  } finally {
    remote?.close();
  }
}
async function vmRootCertificate(remote, db, home, uploaded, uploadedLines) {
  const path = db.sslRootCertPath ?? (db.sslmode === "verify-ca" || db.sslmode === "verify-full" ? `${home}/.postgresql/root.crt` : void 0);
  if (!path) return db;
  let pem = "";
  if (path === uploaded) pem = uploadedLines.length > 0 ? `${uploadedLines.join("\n")}
` : "";
  else {
    const res = await remote.exec(`cat -- ${shq(path)}`, { timeoutSec: 15 }).catch(() => void 0);
    if (res?.code === 0) pem = res.stdout;
  }
  if (!/-----BEGIN CERTIFICATE-----/.test(pem)) {
    return `The root certificate ${path} that libpq on the VM needs for sslmode=${db.sslmode} is missing or holds no certificate, so MLflow cannot reach its database either: rerun provision with --pg-ssl-root-cert FILE.`;
  }
  return { ...db, sslRootCert: { pem, source: `${path} on the VM` } };
}
async function runStatus(config) {
  const results = new Array(config.targets.length);
  let next = 0;
  const worker = async () => {
    while (next < config.targets.length) {
      const i = next++;
      results[i] = await hostStatus(config.targets[i], config);
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.concurrency, config.targets.length) }, worker));
  return results;
}

export {
  launcherFlag,
  STATUS_LOG_LINES,
  buildStatusScript,
  parseStatusExtras,
  serverUptimeSec,
  hostStatus,
  vmRootCertificate,
  runStatus
};
