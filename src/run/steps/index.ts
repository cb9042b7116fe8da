import { connectStep } from './connect.js';
import { databaseStep } from './database.js';
import { filesStep } from './files.js';
import { gcStep } from './gc.js';
import { artifactsStep, packagesStep, pythonStep } from './install.js';
import { proxyStep } from './proxy.js';
import { serverStep } from './server.js';
import type { StepDef } from './step.js';
import { verifyStep } from './verify.js';

/**
 * Every step, in the order it runs. The database step comes second: its check ran while the probe did, so a
 * wrong password or a closed firewall stops the host before apt, pip or any file changes.
 */
export const STEPS: readonly StepDef[] = [
  connectStep,
  databaseStep,
  packagesStep,
  pythonStep,
  artifactsStep,
  filesStep,
  serverStep,
  proxyStep,
  gcStep,
  verifyStep,
];
