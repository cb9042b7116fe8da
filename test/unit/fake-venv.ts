// A venv as uv leaves it on a VM, laid out on this machine for the probe's shell to read: python3 linking to an
// interpreter named python3.42 under `root`/usr, bin/python and bin/mlflow, and site-packages with the given
// modules and MLflow's dist-info.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes the venv at `venv`; returns its site-packages folder. `metadataTail` follows METADATA's header. */
export function writeFakeVenv(root: string, venv: string, opts: { modules: string[]; mlflowVersion: string; metadataTail?: string }): string {
  mkdirSync(join(root, 'usr'), { recursive: true });
  writeFileSync(join(root, 'usr', 'python3.42'), '#!/bin/sh\n', { mode: 0o755 });
  mkdirSync(join(venv, 'bin'), { recursive: true });
  symlinkSync(join(root, 'usr', 'python3.42'), join(venv, 'bin', 'python3'));
  symlinkSync('python3', join(venv, 'bin', 'python'));
  writeFileSync(join(venv, 'bin', 'mlflow'), '#!/bin/sh\n', { mode: 0o755 });
  const sp = join(venv, 'lib', 'python3.42', 'site-packages');
  for (const m of opts.modules) {
    mkdirSync(join(sp, m), { recursive: true });
    writeFileSync(join(sp, m, '__init__.py'), '');
  }
  const distInfo = join(sp, `mlflow-${opts.mlflowVersion}.dist-info`);
  mkdirSync(distInfo);
  writeFileSync(join(distInfo, 'METADATA'), `Metadata-Version: 2.1\nName: mlflow\nVersion: ${opts.mlflowVersion}\n\n${opts.metadataTail ?? ''}`);
  return sp;
}
