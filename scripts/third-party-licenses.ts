// The licence texts of the libraries bundled into dist/ (issue 23, item 5). The published package has no
// dependencies of its own, so npm no longer installs those libraries with their LICENSE files beside them: MIT,
// ISC and BSD require the copyright notice and licence text to travel with copies of the code, so the build writes
// them into one file of the package. The list comes from esbuild's metafile: exactly the packages whose code ended
// up in the bundle, nothing that is only installed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';

interface BundledPackage {
  name: string;
  version: string;
  license: string;
  text: string;
}

/** Each package folder (`node_modules/x`, `node_modules/@s/x`, nested ones too) that holds a bundled input. */
function packageDirs(metafile: Metafile): string[] {
  const dirs = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match?.[1]) dirs.add(match[1]);
  }
  return [...dirs];
}

/** A package's `license` field, or the older `licenses` array (ssh2 still uses it). */
function licenseName(manifest: { license?: string; licenses?: { type: string }[] }): string {
  return manifest.license ?? manifest.licenses?.map((l) => l.type).join(' OR ') ?? 'UNKNOWN';
}

/** The "License" section of a README, for the few packages that ship no LICENSE file (pg-types, pgpass). */
function readmeLicenseSection(dir: string): string | undefined {
  const readme = readdirSync(dir).find((f) => /^readme(\.md)?$/i.test(f));
  if (!readme) return undefined;
  const lines = readFileSync(join(dir, readme), 'utf8').split('\n');
  const start = lines.findIndex((l) => /^#+\s*licen[cs]e\b/i.test(l));
  if (start < 0) return undefined;
  const level = /^#+/.exec(lines[start] ?? '')?.[0].length ?? 1;
  const end = lines.findIndex((l, i) => i > start && new RegExp(`^#{1,${level}}\\s`).test(l));
  const section = lines
    .slice(start + 1, end < 0 ? undefined : end)
    .join('\n')
    .trim();
  return section || undefined;
}

function licenseText(dir: string): string | undefined {
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)([.-].*)?$/i.test(f));
  return file ? readFileSync(join(dir, file), 'utf8').trim() : readmeLicenseSection(dir);
}

function bundledPackage(dir: string): BundledPackage {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    license?: string;
    licenses?: { type: string }[];
  };
  const text = licenseText(dir);
  // A bundled library whose licence text cannot be found stops the build: publishing it without would break its licence.
  if (!text) throw new Error(`${manifest.name}@${manifest.version} (${dir}): no licence text found to ship with the bundle`);
  return { name: manifest.name, version: manifest.version, license: licenseName(manifest), text };
}

/** The text of dist/THIRD-PARTY-LICENSES: one section per bundled package, sorted by name. */
export function thirdPartyLicenses(metafile: Metafile): string {
  // The same name and version can sit in several folders (nested node_modules): one section each.
  const byId = new Map(
    packageDirs(metafile)
      .map(bundledPackage)
      .map((p) => [`${p.name}@${p.version}`, p]),
  );
  const packages = [...byId.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  const header = [
    'mlflow-provision bundles the following libraries into dist/ (it installs no dependencies of its own).',
    'Their licences follow, each as the library ships it.',
    '',
    ...packages.map((p) => `- ${p.name}@${p.version} (${p.license})`),
  ].join('\n');
  const sections = packages.map((p) => `${'='.repeat(78)}\n${p.name}@${p.version} (${p.license})\n${'='.repeat(78)}\n\n${p.text}`);
  return `${[header, ...sections].join('\n\n')}\n`;
}
