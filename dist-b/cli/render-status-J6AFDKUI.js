import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  kleur_default
} from "./chunk-MRIE4JVU.js";
import {
  UNIT_NAME
} from "./chunk-UMUOKFXQ.js";
import {
  VM_FILES
} from "./chunk-WWIPIQSO.js";
import "./chunk-V4RWK56N.js";

// src/cli/render-status.ts
function duration(sec) {
  if (sec < 60) return `${sec} s`;
  const d = Math.floor(sec / 86400);
  const h = Math.floor(sec % 86400 / 3600);
  const m = Math.floor(sec % 3600 / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  return `${m} min ${sec % 60} s`;
}
var SUPERVISOR_TEXT = {
  systemd: `systemd (${UNIT_NAME}): restarted after a crash, started at boot; log ~/${VM_FILES.log} (and journalctl -u ${UNIT_NAME}); restart: sudo systemctl restart ${UNIT_NAME}`,
  nohup: `nohup: a reboot stops the server; rerun provision to start it, or use --supervisor systemd; log ~/${VM_FILES.log}`
};
function statusText(s) {
  const verdict = s.healthy ? kleur_default.green().bold("healthy") : kleur_default.red().bold("NOT HEALTHY");
  const lines = [`${kleur_default.bold(s.host)}: ${verdict}${s.url ? `  ${s.url}` : ""}  (${(s.durationMs / 1e3).toFixed(1)} s)`];
  if (s.newHostKey) lines.push(`  ${newHostKeyLine(s.newHostKey)}`);
  if (s.error) {
    lines.push(`  ${s.error}`);
    return lines.join("\n");
  }
  const row = (name, text) => lines.push(`  ${name.padEnd(10)} ${text}`);
  row(
    "server",
    s.server.running ? `running, pid ${s.server.pid}${s.server.uptimeSec !== void 0 ? `, up ${duration(s.server.uptimeSec)}` : ""}${s.auth === "basic" ? ", basic auth" : ""}` : "not running"
  );
  if (s.supervisor) row("supervisor", SUPERVISOR_TEXT[s.supervisor]);
  row(
    "MLflow",
    `${s.mlflow.installed ? `${s.mlflow.installed} installed` : "not installed"}${s.mlflow.running ? `, the server answers ${s.mlflow.running}` : ""}`
  );
  if (s.health !== void 0) row("/health", s.health === 200 ? "200 OK" : s.health ? `HTTP ${s.health}` : "no answer");
  if (s.api !== void 0) row("API", s.api === 200 ? "experiments search ok" : s.api ? `experiments search HTTP ${s.api}` : "experiments search: no answer");
  row("database", s.database.detail);
  if (s.tls) row("https", tlsText(s.tls));
  for (const p of s.problems) lines.push(kleur_default.red(`  ! ${p}`));
  if (s.log.lines.length > 0) {
    lines.push(`  last ${s.log.lines.length} lines of ${s.log.path}:`);
    for (const l of s.log.lines) lines.push(kleur_default.dim(`    ${l}`));
  }
  return lines.join("\n");
}
function tlsText(t) {
  const cert = t.validTo ? `certificate valid until ${t.validTo.slice(0, 10)}${t.issuer ? ` (${t.issuer})` : ""}` : "no valid certificate";
  return `Caddy (--tls ${t.mode}) for ${t.names.join(", ")}: ${t.verified ? `${cert}, verified` : "certificate does not verify"}`;
}
function newHostKeyLine(k) {
  return `new host key ${k.type} ${k.fingerprint} recorded in ${k.recordedIn}`;
}
function statusJson(s) {
  return JSON.stringify({
    host: s.host,
    healthy: s.healthy,
    url: s.url ?? null,
    problems: s.problems,
    error: s.error ?? null,
    server: { running: s.server.running, pid: s.server.pid ?? null, uptimeSec: s.server.uptimeSec ?? null },
    mlflow: { installed: s.mlflow.installed ?? null, running: s.mlflow.running ?? null },
    auth: s.auth,
    supervisor: s.supervisor ?? null,
    tls: s.tls ? { mode: s.tls.mode, names: s.tls.names, verified: s.tls.verified, validTo: s.tls.validTo ?? null, issuer: s.tls.issuer ?? null } : null,
    health: s.health ?? null,
    api: s.api ?? null,
    database: { reachable: s.database.reachable, serverVersion: s.database.serverVersion ?? null, detail: s.database.detail },
    log: s.log.lines,
    newHostKey: s.newHostKey ?? null,
    durationMs: s.durationMs
  });
}
export {
  duration,
  newHostKeyLine,
  statusJson,
  statusText
};
