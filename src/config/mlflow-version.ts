/**
 * The MLflow versions this release of provision is tested with: the one a fresh install gets when no
 * --mlflow-version is given, and the older one the upgrade tests start from. The lab's wheelhouse
 * (scripts/lab/wheelhouse.py) reads both lines below, so this file is the one place they are pinned.
 *
 * Why not the newest release: MLflow 3.18.0 is on PyPI but needs mlflow-skinny==3.18.0 and
 * mlflow-tracing==3.18.0, which PyPI did not have on 2026-12-01, so `pip install mlflow==3.18.0` fails.
 */
export const DEFAULT_MLFLOW_VERSION = '3.17.2';
export const UPGRADE_TESTED_FROM = '3.16.1';
