// Build the course's widget bundle from the pinned npm packages (package-lock.json):
//
//   node book/_ext/course/widgets_bundle/build.mjs OUTDIR
//
// writes OUTDIR/track2-widgets.js, OUTDIR/track2-widgets.css (the widgets' styles
// and the fallback message's) and OUTDIR/track2-widgets.LICENSES.txt (each bundled
// package, its version and its licence text). Only the classes listed in widgets.json are bundled, with
// what they import; esbuild drops the rest of @jupyter-widgets/controls. The
// output depends only on these files and node_modules: the same inputs give the
// same bytes. `npm run build:widgets` (which `make book` runs when an input changed) writes it to
// _build/assets/static/offline/widgets/, from where the book build copies it (widget_bundle.py).
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..', '..');
const outdir = process.argv[2];
if (!outdir) {
  console.error('usage: node build.mjs OUTDIR');
  process.exit(2);
}
const wanted = JSON.parse(readFileSync(join(here, 'widgets.json'), 'utf8'));

// A virtual module exporting {moduleName: {version, classes: {name: class}}}.
function modulesSource() {
  const lines = [];
  const entries = [];
  Object.entries(wanted).filter(([name]) => !name.startsWith('//')).forEach(([name, spec], i) => {
    const imports = spec.classes.map((cls) => `${cls} as m${i}_${cls}`).join(', ');
    lines.push(`import { ${imports} } from ${JSON.stringify(name)};`);
    const classes = spec.classes.map((cls) => `${cls}: m${i}_${cls}`).join(', ');
    entries.push(`${JSON.stringify(name)}: {version: ${JSON.stringify(spec.version)}, classes: {${classes}}}`);
  });
  return `${lines.join('\n')}\nexport default {${entries.join(', ')}};\n`;
}

const widgetModules = {
  name: 'track2-widget-modules',
  setup(b) {
    b.onResolve({ filter: /^track2:widget-modules$/ }, () => ({ path: 'widget-modules', namespace: 'track2' }));
    b.onLoad({ filter: /.*/, namespace: 'track2' }, () => ({ contents: modulesSource(), resolveDir: here, loader: 'js' }));
  },
};

// Packages that declare no "sideEffects" but have none in the files the bundle
// uses: marking them lets esbuild drop the widgets the course does not use
// (sliders with nouislider, date pickers with dayjs, tag inputs, ...).
const PURE = /\/node_modules\/(@jupyter-widgets\/(controls|base|base-manager)\/lib|@lumino\/[a-z]+\/dist|@lumino\/widgets\/src|nouislider\/dist)\/[^/]+\.[jt]s$/;

// @lumino/widgets from its TypeScript sources (shipped in the package), one module per
// file, instead of its single-file build: esbuild can then leave out the files the
// course's widgets never reach (dock panels, menus, command palettes, drag and drop, and
// the packages only they import), about 150 KB of the bundle's 320 KB, which every page
// with a widget downloaded and ran (Lighthouse: 71% of the bundle unused, issue 27).
const luminoWidgetsSource = {
  name: 'track2-lumino-widgets-source',
  setup(b) {
    const index = join(root, 'node_modules', '@lumino', 'widgets', 'src', 'index.ts');
    b.onResolve({ filter: /^@lumino\/widgets$/ }, () => ({ path: index, sideEffects: false }));
  },
};
const pureModules = {
  name: 'track2-pure-modules',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'resolving' || args.namespace !== 'file') return undefined;
      const result = await b.resolve(args.path, {
        kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'resolving',
      });
      if (result.errors.length || !PURE.test(result.path)) return result.errors.length ? { errors: result.errors } : undefined;
      return { path: result.path, sideEffects: false };
    });
  },
};

const result = await build({
  absWorkingDir: root,
  metafile: true,
  entryPoints: { 'track2-widgets': join(here, 'runtime.js') },
  outdir,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2019'],
  minify: true,
  legalComments: 'none',
  footer: { js: '/*! Bundled packages and their licences: track2-widgets.LICENSES.txt */' },
  charset: 'utf8',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
  // Fonts and images the widget CSS refers to are inlined (there are only small SVGs).
  loader: { '.svg': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl', '.eot': 'dataurl' },
  // ManagerBase's HTML sanitizer for widget descriptions (sanitize.js), and the
  // one jQuery feature ipywidgets 8 uses (jquery.cjs).
  alias: { 'sanitize-html': join(here, 'sanitize.js'), jquery: join(here, 'jquery.cjs') },
  // compiled as Lumino compiles them (TypeScript's class fields by assignment, as in its dist/)
  tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
  plugins: [luminoWidgetsSource, widgetModules, pureModules],
});

// The licences of what was bundled, package by package (from the build's metafile).
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = resolve(root, input).match(/^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\//);
  if (match) packages.set(match[1], true);
}
const notices = [...packages.keys()].sort().map((folder) => {
  const meta = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
  const licenceFile = readdirSync(folder).sort().find((name) => /^(licen[cs]e|copying)/i.test(name));
  const text = licenceFile ? readFileSync(join(folder, licenceFile), 'utf8').trim() : '(no licence file in the package)';
  return `${meta.name} ${meta.version} (${meta.license || 'see below'})\n\n${text}\n`;
});
writeFileSync(join(outdir, 'track2-widgets.LICENSES.txt'),
  'The course widget bundle (track2-widgets.js, track2-widgets.css) contains code from these\n'
  + 'npm packages, as pinned by package-lock.json; the rest is the course\'s own (MIT), in\n'
  + `${relative(root, here)}.\n\n${'='.repeat(72)}\n${notices.join(`${'='.repeat(72)}\n`)}`);
