import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  canPrompt,
  getBool,
  readSettings,
  requireNumber,
  statusConfigFrom
} from "./chunk-BMDQEPXF.js";
import "./chunk-AKH7ILIC.js";
import {
  EXIT,
  UsageError
} from "./chunk-DOFNX5A2.js";
import {
  kleur_default
} from "./chunk-MRIE4JVU.js";
import {
  lifecycleOptions
} from "./chunk-XUGTEQOO.js";
import "./chunk-AQLCKWIG.js";
import "./chunk-WWIPIQSO.js";
import "./chunk-V4RWK56N.js";

// src/cli/lifecycle-command.ts
async function lifecycleConfig(command, settings, argv) {
  const base = await statusConfigFrom(settings, argv);
  const lines = settings.get("lines");
  const config = {
    ...base,
    command,
    lines: lines === void 0 ? 50 : requireNumber(lines.value, "--lines", { min: 1, max: 1e5 }),
    follow: getBool(settings, "follow"),
    purgeArtifacts: getBool(settings, "purge-artifacts"),
    dryRun: getBool(settings, "dry-run")
  };
  if (config.follow && config.output.json) throw new UsageError("--follow and --json exclude each other: --follow streams lines until Ctrl-C.");
  return config;
}
async function confirmPurge(config, argv) {
  if (!config.purgeArtifacts || config.dryRun || argv.yes === true || process.env.PROVISION_YES === "true") return;
  if (!canPrompt(argv)) {
    throw new UsageError(
      "--purge-artifacts deletes the artifacts folder (every run's files) on the VM: add --yes to confirm, or run it in a terminal to be asked."
    );
  }
  const { default: enquirer } = await import("./enquirer-C6C5DVYT.js");
  const hosts = config.targets.map((t) => t.label).join(", ");
  const answer = await enquirer.prompt({ type: "confirm", name: "ok", initial: false, message: `Delete the artifacts folder (every run's files) on ${hosts}?` }).catch(() => ({ ok: false }));
  if (!answer.ok) throw new UsageError("Nothing was removed: the artifacts folder stays (run remove without --purge-artifacts to keep it).");
}
function text(r, several) {
  if (r.status !== "ok") return `${kleur_default.red("\u2716")} ${r.host}: ${r.error}`;
  const lines = [`${kleur_default.green("\u2714")} ${r.host}: ${r.command} ${r.changed ? "changed" : "unchanged"} (${r.summary})`];
  if (r.removed?.length) lines.push(`  removed: ${r.removed.join(", ")}`);
  if (r.kept?.length) lines.push(`  kept:    ${r.kept.join("; ")}`);
  for (const l of r.lines ?? []) lines.push(several ? `${r.host} | ${l}` : l);
  return lines.join("\n");
}
function json(r) {
  return JSON.stringify({
    host: r.host,
    command: r.command,
    status: r.status,
    changed: r.changed,
    summary: r.summary || null,
    error: r.error ?? null,
    ...r.lines ? { lines: r.lines } : {},
    ...r.removed ? { removed: r.removed, kept: r.kept ?? [] } : {},
    durationMs: r.durationMs
  });
}
async function lifecycleCommand(command, argv) {
  const settings = readSettings(argv, process.env, lifecycleOptions(command));
  const config = await lifecycleConfig(command, settings, argv);
  await confirmPurge(config, argv);
  for (const w of config.warnings) process.stderr.write(`${kleur_default.yellow("!")} ${w}
`);
  const { runLifecycle } = await import("./lifecycle-QDPLMOLD.js");
  const remotes = [];
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    for (const r of remotes) void r.interrupt(500);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const several = config.targets.length > 1;
  const results = await runLifecycle(config, {
    onRemote: (r) => remotes.push(r),
    onFollowLine: (host, line) => process.stdout.write(`${several ? `${host} | ` : ""}${line}
`)
  });
  if (config.output.json) for (const r of results) process.stdout.write(`${json(r)}
`);
  else if (config.follow) for (const r of results.filter((x) => x.status !== "ok" && !interrupted)) process.stdout.write(`${text(r, several)}
`);
  else process.stdout.write(`${results.map((r) => text(r, several)).join("\n")}
`);
  if (interrupted) return EXIT.interrupted;
  return results.every((r) => r.status === "ok") ? EXIT.ok : EXIT.failed;
}
export {
  lifecycleCommand
};
