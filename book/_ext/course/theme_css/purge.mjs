// Drop the theme's CSS rules that no page of the built book can use, with PurgeCSS
// (npm, pinned in package-lock.json):
//
//   node book/_ext/theme_css/purge.mjs HTMLDIR STYLESHEET...
//
// Every STYLESHEET (a path under HTMLDIR) is rewritten in place, keeping each rule whose
// selector can match something in the book: a class, id, tag or attribute named in any
// page (HTMLDIR/**/*.html, the widget states included) or in any script the pages load
// (HTMLDIR/_static/**/*.js: the theme's and Bootstrap's scripts add classes such as
// "show" or "dropdown-menu-dark" as they run). Rules inside :not(), :has() and the like,
// @font-face, @keyframes and custom properties are always kept (PurgeCSS's defaults).
//
// Why: pydata-sphinx-theme's stylesheet (with Bootstrap 5) is about 310 KB, 45 KB
// gzip-compressed, blocks the first paint of every page, and Lighthouse found about
// 45 KB of it unused on every page kind (issue 27). light_pages.py runs this at the end
// of every HTML build, after the icon rules are trimmed.
import { PurgeCSS } from 'purgecss';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const [htmlDir, ...stylesheets] = process.argv.slice(2);
if (!htmlDir || stylesheets.length === 0) {
  console.error('usage: node purge.mjs HTMLDIR STYLESHEET...');
  process.exit(2);
}

// Every file of the site in HTMLDIR, but not of a site nested in it: a translated book
// (HTMLDIR/zh_CN/, with its own _static/) is purged by its own build, which may be copying
// it in while this one runs (`make book` builds the languages side by side).
function walk(folder, found = []) {
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (!statSync(path).isDirectory()) found.push(path);
    else if (!existsSync(join(path, '_static'))) walk(path, found);
  }
  return found;
}

const files = walk(htmlDir);
const top = (path) => relative(htmlDir, path).split('/')[0];
const pages = files.filter((path) => path.endsWith('.html') && !['_static', '_sources'].includes(top(path)));
// the theme's every-icon script is not loaded by any page (course_style.py)
const scripts = files.filter((path) => top(path) === '_static' && path.endsWith('.js')
  && !/fontawesome/.test(path));
if (pages.length === 0) {
  console.error(`purge.mjs: no pages in ${htmlDir}`);
  process.exit(1);
}

// Names that Bootstrap's scripts build from parts (`bs-${name}-${placement}`), so no
// file spells them out: tooltips (the header buttons' titles) and their placements.
const safelist = { greedy: [/^bs-tooltip/, /^tooltip/, /^bs-popover/] };

const results = await new PurgeCSS().purge({
  content: [...pages, ...scripts].map((path) => ({ raw: readFileSync(path, 'utf8'), extension: path.split('.').pop() })),
  css: stylesheets.map((path) => join(htmlDir, path)),
  safelist,
});
for (const [index, result] of results.entries()) {
  const path = join(htmlDir, stylesheets[index]);
  const before = statSync(path).size;
  // the source map describes the stylesheet before this step: no longer its map
  const css = result.css.replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, '');
  writeFileSync(path, css);
  console.log(`${stylesheets[index]}: ${before} -> ${Buffer.byteLength(css)} bytes`);
}
