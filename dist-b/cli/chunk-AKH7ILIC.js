import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  UsageError
} from "./chunk-DOFNX5A2.js";
import {
  VM_FILES,
  tildePath
} from "./chunk-WWIPIQSO.js";

// src/config/artifacts-dir.ts
var SYSTEM_TREES = [
  "/bin",
  "/boot",
  "/dev",
  "/etc",
  "/lib",
  "/lib32",
  "/lib64",
  "/libx32",
  "/lost+found",
  "/proc",
  "/root",
  "/run",
  "/sbin",
  "/snap",
  "/sys",
  "/usr",
  "/var"
];
var ROOTS_FOR_FOLDERS = ["/var/lib", "/var/opt", "/srv", "/opt", "/mnt", "/media", "/home", "/tmp", "/var/tmp"];
function normalizeRemotePath(path) {
  const parts = [];
  for (const p of path.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return `/${parts.join("/")}`;
}
function isInside(path, tree) {
  return path === tree || path.startsWith(tree === "/" ? "/" : `${tree}/`);
}
function requireSafeArtifactsDir(path, where = "") {
  const problem = artifactsPathProblem(path);
  if (problem) {
    throw new UsageError(
      `${where}--artifacts-dir ${path} is refused: ${problem}; MLflow's artifact API reads and writes every file in it. Choose a folder of its own, e.g. ${tildePath("artifactsDir")} (the default) or /srv/mlflow-artifacts.`
    );
  }
  return path;
}
function artifactsPathProblem(path) {
  const p = normalizeRemotePath(path);
  if (p === "/") return "it is the root of the file system";
  if (ROOTS_FOR_FOLDERS.includes(p)) return `it is the system folder ${p} itself`;
  const allowedRoot = ROOTS_FOR_FOLDERS.find((r) => isInside(p, r));
  if (allowedRoot) return void 0;
  const tree = SYSTEM_TREES.find((t) => isInside(p, t));
  if (tree) return `it is ${p === tree ? "the system folder" : "inside the system folder"} ${tree}`;
  return void 0;
}
function artifactsFolderProblem(given, facts, user) {
  const shown = `${given}${facts.real && facts.real !== given ? ` (${facts.real})` : ""}`;
  const refuse = (why, fix = `Choose a folder of its own with --artifacts-dir, e.g. ${tildePath("artifactsDir")} (the default) or /srv/mlflow-artifacts.`) => `The artifacts folder ${shown} is refused: ${why}; MLflow's artifact API reads and writes every file in it. ${fix}`;
  if (facts.state === "symlink") return refuse("it is a symbolic link, which provision does not follow", "Give the folder it points to with --artifacts-dir.");
  const home = normalizeRemotePath(facts.home);
  const real = normalizeRemotePath(facts.real || given);
  const byName = artifactsPathProblem(real);
  if (byName) return refuse(byName);
  if (real === home) return refuse("it is your home folder, which holds the secrets file and ~/.ssh");
  if (isInside(home, real)) return refuse(`it contains your home folder ${home}, which holds the secrets file and ~/.ssh`);
  if (isInside(real, home)) {
    const first = real.slice(home.length + 1).split("/")[0];
    if (first.startsWith(".")) return refuse(`it is inside the hidden folder ~/${first} (where ~/.ssh, ~/.config and shell start-up files live)`);
    if (first === VM_FILES.venv) return refuse("it is inside the virtual environment that runs the server");
  }
  if (isInside(real, "/home") && !isInside(real, home)) {
    return refuse(`it is in another user's home folder (/home/${real.split("/")[2]})`);
  }
  if (facts.state === "not-a-folder") return refuse("it exists and is not a folder");
  if (facts.foreignOwner) {
    return refuse(
      `it exists and belongs to ${facts.foreignOwner}, and provision never takes over a folder it did not create`,
      `Choose another folder with --artifacts-dir, or give this one to ${user} yourself (sudo chown ${user} ${real}) if that is what you mean.`
    );
  }
  if (facts.state === "not-writable") {
    return refuse(
      `it belongs to ${user} but is not writable, and provision never changes the mode of a folder it did not create`,
      `Run chmod u+w ${real} on the VM, or choose another folder with --artifacts-dir.`
    );
  }
  return void 0;
}

export {
  requireSafeArtifactsDir,
  artifactsPathProblem,
  artifactsFolderProblem
};
