import * as fs from 'fs';
import * as path from 'path';

// Every jsii language package (PyPI, Maven, Go, NuGet) is generated from the jsii assembly and
// package.json: a peer listed there becomes a dependency that every user must install. cdk-nag stays a
// devDependency (the compliance tests run its packs); users register the packs they want themselves.
const ROOT = path.join(__dirname, '..', '..');
const PEERS = ['aws-cdk-lib', 'constructs'];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('the dependencies every language inherits', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

  test('only aws-cdk-lib and constructs are peers (no cdk-nag peer in any language)', () => {
    expect(Object.keys(pkg.peerDependencies ?? {}).sort()).toEqual(PEERS);
    expect(Object.keys(pkg.dependencies ?? {})).toEqual([]);
  });

  test('cdk-nag stays a pinned devDependency for the compliance tests', () => {
    expect(pkg.devDependencies['cdk-nag']).toMatch(/^3\.\d+\.\d+$/);
  });

  // Documentation comments may show the user's own import; code may not import it.
  test('no shipped source imports cdk-nag', () => {
    const importers = sourceFiles(path.join(ROOT, 'src'))
      .filter((file) => /^(import|export)\b[^\n]*from ['"]cdk-nag['"]|require\(['"]cdk-nag['"]\)/m.test(fs.readFileSync(file, 'utf8')))
      .map((file) => path.relative(ROOT, file));
    expect(importers).toEqual([]);
  });

  // The assembly jsii-pacmak turns into the Python, Java, Go and .NET packages (present after compile).
  const assembly = path.join(ROOT, '.jsii');
  (fs.existsSync(assembly) ? test : test.skip)('the compiled jsii assembly depends on aws-cdk-lib and constructs only', () => {
    const jsii = JSON.parse(fs.readFileSync(assembly, 'utf8'));
    expect(Object.keys(jsii.dependencies).sort()).toEqual(PEERS);
  });
});
