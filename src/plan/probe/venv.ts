import { shq } from '../../util/shell-quote.js';
import type { FactPart } from './types.js';

/** Python modules of optional features, as paths under site-packages (reported with dots). */
const FEATURE_MODULES = ['flask_wtf', 'azure/storage/blob', 'azure/identity', 'prometheus_flask_exporter'];

/**
 * The venv (`V`, set by the prelude): a working interpreter, MLflow's version, whether MLflow and the
 * database driver are installed, and the optional feature modules. Nothing is started.
 */
export const venvPart: FactPart = {
  name: 'venv',
  script: () => `
# The venv's interpreter, without starting it: its symlink chain must end at an executable python3.N whose
# site-packages the venv has. An in-place upgrade of the system python (a release upgrade) leaves a venv
# whose interpreter no longer sees its packages. MLflow and the driver are read from site-packages:
# importing MLflow would take seconds.
SP=
if [ -x "$V/bin/python" ]; then
  py=$(readlink -f "$V/bin/python")
  case "\${py##*/}" in python3.*) [ -d "$V/lib/\${py##*/}/site-packages" ] && SP="$V/lib/\${py##*/}/site-packages";; esac
fi
if [ -n "$SP" ]; then
  echo venv_python=1
  for m in "$SP"/mlflow-*.dist-info/METADATA; do
    [ -f "$m" ] && while IFS= read -r l; do case "$l" in "Version: "*) echo "mlflow_version=\${l#Version: }"; break;; "") break;; esac; done < "$m"
  done
  if [ -f "$SP/mlflow/__init__.py" ] && [ -x "$V/bin/mlflow" ]; then echo mlflow_importable=1; else echo mlflow_importable=0; fi
  if [ -f "$SP/psycopg2/__init__.py" ]; then echo driver_importable=1; else echo driver_importable=0; fi
  for m in ${FEATURE_MODULES.map(shq).join(' ')}; do [ -f "$SP/$m/__init__.py" ] && echo "module=$m"; done
fi
`,
  keys: {
    venv_python: (f) => {
      f.venvPython = true;
    },
    mlflow_version: (f, v) => {
      f.mlflowVersion = v;
    },
    mlflow_importable: (f, v) => {
      f.mlflowImportable = v === '1';
    },
    driver_importable: (f, v) => {
      f.driverImportable = v === '1';
    },
    module: (f, v) => {
      f.modules.push(v.replace(/\//g, '.'));
    },
  },
};
