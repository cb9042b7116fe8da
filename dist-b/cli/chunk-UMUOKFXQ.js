import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  tildePath
} from "./chunk-WWIPIQSO.js";

// src/render/systemd-unit.ts
var UNIT_NAME = "mlflow-server.service";
var UNIT_PATH = `/etc/systemd/system/${UNIT_NAME}`;
function unitPath(path) {
  if (/[\s"'\\]/.test(path)) throw new Error(`the path ${JSON.stringify(path)} cannot be written into a systemd unit`);
  return path.replace(/%/g, "%%");
}
function renderUnit(layout, user, fingerprint) {
  return [
    "# Written by `provision`; rerun provision to change it. The server's settings are in",
    `# ${tildePath("launcher")}, its secrets in ${tildePath("secrets")} (0600), its output in ${tildePath("log")}.`,
    "[Unit]",
    "Description=MLflow tracking server (provision)",
    "Wants=network-online.target",
    "After=network-online.target",
    // A server that fails at every start stops being restarted after 5 tries in 5 minutes.
    "StartLimitIntervalSec=300",
    "StartLimitBurst=5",
    "",
    "[Service]",
    "Type=simple",
    `User=${user}`,
    `WorkingDirectory=${unitPath(layout.home)}`,
    `Environment=PROVISION_FINGERPRINT=${fingerprint}`,
    `ExecStart=${unitPath(layout.launcher)}`,
    `StandardOutput=append:${unitPath(layout.log)}`,
    "StandardError=inherit",
    "Restart=on-failure",
    "RestartSec=2",
    "TimeoutStopSec=30",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    ""
  ].join("\n");
}

export {
  UNIT_NAME,
  UNIT_PATH,
  renderUnit
};
