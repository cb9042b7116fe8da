import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  STATUS_LOG_LINES,
  buildStatusScript,
  hostStatus,
  launcherFlag,
  parseStatusExtras,
  runStatus,
  serverUptimeSec,
  vmRootCertificate
} from "./chunk-55S57DZM.js";
import "./chunk-B6JPNPE7.js";
import "./chunk-DOFNX5A2.js";
import "./chunk-UMUOKFXQ.js";
import "./chunk-AQLCKWIG.js";
import "./chunk-WWIPIQSO.js";
import "./chunk-V4RWK56N.js";
export {
  STATUS_LOG_LINES,
  buildStatusScript,
  hostStatus,
  launcherFlag,
  parseStatusExtras,
  runStatus,
  serverUptimeSec,
  vmRootCertificate
};
