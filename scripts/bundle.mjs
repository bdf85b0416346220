#!/usr/bin/env node
/**
 * Bundles the compiled server (dist/, where tsc already emitted the decorator metadata Nest's
 * injection needs) into one file with esbuild, plus the few packages that must stay files on
 * disk, so the container image carries a few MB of code instead of ~280 MB of node_modules.
 *
 *   node scripts/bundle.mjs [outDir=bundle]   (after `npm run build`)
 *
 * The result runs with `node main.js` from outDir and nothing else installed.
 */
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, process.argv[2] ?? 'bundle');

/** Loaded at run time by path, not by import: pino's transport worker, Swagger UI's assets. */
const ON_DISK = ['pino', 'pino-pretty', 'swagger-ui-dist'];
/** Optional integrations Nest and @nestjs/swagger try to load and this service does not use. */
const ABSENT = ['@nestjs/microservices', '@nestjs/microservices/*', '@nestjs/websockets', '@nestjs/websockets/*', '@fastify/static'];

const packageJson = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

/** Where `name` resolves from a package in `from`, as Node looks it up (nested first, then up). */
function locate(name, from) {
  for (let dir = from; dir.startsWith(root); dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root) break;
  }
  throw new Error(`cannot find ${name} (needed from ${relative(root, from) || '.'})`);
}

/** Copies each package and its production dependencies, keeping node_modules' layout. */
function copyWithDependencies(names, from = root, seen = new Set()) {
  for (const name of names) {
    const dir = locate(name, from);
    if (seen.has(dir)) continue;
    seen.add(dir);
    cpSync(dir, join(out, relative(root, dir)), { recursive: true, dereference: true });
    const { dependencies = {}, optionalDependencies = {} } = packageJson(dir);
    const optional = Object.keys(optionalDependencies).filter((d) => {
      try {
        return !!locate(d, dir);
      } catch {
        return false;
      }
    });
    copyWithDependencies([...Object.keys(dependencies), ...optional], dir, seen);
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(root, 'dist/main.js')],
  outfile: join(out, 'main.js'),
  bundle: true,
  platform: 'node',
  target: 'node22',
  minify: true,
  // Nest and LangChain look classes up by name (providers, serialised messages).
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
  // ES modules bundled into CommonJS still ask for their own URL (createRequire(import.meta.url)).
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__bundleUrl' },
  external: [...ON_DISK, ...ABSENT],
});
copyWithDependencies(ON_DISK);
const { name, version, license } = packageJson(root);
writeFileSync(join(out, 'package.json'), JSON.stringify({ name, version, license, private: true, main: 'main.js' }, null, 2) + '\n');
console.log(`bundle written to ${relative(root, out) || out}`);
