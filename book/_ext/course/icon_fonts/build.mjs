// The theme's stylesheet with its Font Awesome icon fonts subset to the icons the course
// shows (issue 17: 268 KB of fonts on every page became about 8 KB), with HarfBuzz's
// subsetter (harfbuzzjs, pinned in package-lock.json):
//
//   node book/_ext/course/icon_fonts/build.mjs OUTDIR THEME_STATIC BOOK_THEME_CSS
//
// THEME_STATIC is pydata-sphinx-theme's static folder, BOOK_THEME_CSS sphinx-book-theme's
// stylesheet, both as installed (the versions requirements-lock.txt pins). Writes
//
// * OUTDIR/styles/pydata-sphinx-theme.css: the theme's stylesheet without the
//   `.fa-NAME:before` rules of icons not in icons.json (20 KB of its 65 KB), its solid and
//   brands fonts subset and inlined (every page draws icons from them: they arrive with the
//   first paint), its regular font pointing at
// * OUTDIR/course-icons/fa-regular-400.ttf, its subset, fetched only by a page that uses it.
//
// A subset keeps the glyphs of the icons in icons.json and of every icon the stylesheets
// draw themselves (admonition titles, breadcrumbs, external links: the private-use
// characters left in them). `npm run build:icons` runs this (from `make book`, when an input
// changed); the book build copies OUTDIR over the theme's own files (light_pages.py), and
// fails, naming the page and the icon, when a page shows an icon not in icons.json.
// Same inputs, same bytes.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const [outdir, themeStatic, bookThemeCss] = process.argv.slice(2);
if (!outdir || !themeStatic || !bookThemeCss) {
  console.error('usage: node build.mjs OUTDIR THEME_STATIC BOOK_THEME_CSS');
  process.exit(2);
}

const THEME_CSS = 'styles/pydata-sphinx-theme.css';
const WEBFONTS = 'vendor/fontawesome/webfonts';
const INLINE_FONTS = new Set(['fa-solid-900', 'fa-brands-400']);
const SUBSET_FOLDER = 'course-icons';
// `.fa-rocket:before{content:"\f135"}`, with aliases: `.fa-search:before,.fa-magnifying-glass:before{...}`
const ICON_RULE = /((?:\.fa-[a-z0-9-]+:{1,2}before,?)+)\{content:"((?:[^"\\]|\\.)*)"\}/g;
const FONT_SRC = new RegExp(
  String.raw`src:url\(\.\./vendor/fontawesome/webfonts/(fa-[a-z]+-\d+)\.woff2\) format\("woff2"\),`
  + String.raw`url\(\.\./vendor/fontawesome/webfonts/\1\.ttf\) format\("truetype"\)`, 'g');
const CSS_ESCAPE = /\\([0-9a-fA-F]{1,6}) ?/g;

const decode = (text) => text.replace(CSS_ESCAPE, (_, hex) => String.fromCodePoint(parseInt(hex, 16)));
const privateUse = (text) => [...text].map((c) => c.codePointAt(0)).filter((cp) => cp >= 0xe000 && cp <= 0xf8ff);

const listed = JSON.parse(readFileSync(join(here, 'icons.json'), 'utf8')).icons;
const used = new Set(listed);
if (used.size !== listed.length) throw new Error('icons.json lists an icon twice');

// The icon rules of the icons in use, and the code points they draw.
const codepoints = new Set();
const found = new Set();
let css = readFileSync(join(themeStatic, THEME_CSS), 'utf8').replace(ICON_RULE, (rule, selectors, content) => {
  const kept = selectors.replace(/,$/, '').split(',').filter((s) => used.has(s.split(':')[0].slice(1)));
  kept.forEach((s) => found.add(s.split(':')[0].slice(1)));
  if (!kept.length) return '';
  [...decode(content)].forEach((c) => codepoints.add(c.codePointAt(0)));
  return `${kept.join(',')}{content:"${content}"}`;
});
const unknown = listed.filter((name) => !found.has(name));
if (unknown.length) {
  console.error(`icons.json: ${unknown.join(', ')}: no such icon in ${THEME_CSS}`);
  process.exit(1);
}
// Icons the stylesheets draw themselves, now that the icon rules not in use are gone.
privateUse(decode(css)).forEach((cp) => codepoints.add(cp));
privateUse(decode(readFileSync(bookThemeCss, 'utf8'))).forEach((cp) => codepoints.add(cp));

const faces = [...new Set([...css.matchAll(FONT_SRC)].map((m) => m[1]))].sort();
if (faces.length !== 3) {
  console.error(`expected the 3 Font Awesome faces in ${THEME_CSS}, found ${faces}: the theme changed`);
  process.exit(1);
}

const wasm = readFileSync(require.resolve('harfbuzzjs/dist/harfbuzz-subset.wasm'));
const { instance } = await WebAssembly.instantiate(wasm);
const hb = instance.exports;
if (hb._initialize) hb._initialize();

// The glyphs of `codepoints` that `font` has, and the tables a browser needs.
function subset(font) {
  const pointer = hb.malloc(font.byteLength);
  new Uint8Array(hb.memory.buffer).set(font, pointer);
  const blob = hb.hb_blob_create(pointer, font.byteLength, 2 /* HB_MEMORY_MODE_WRITABLE */, 0, 0);
  const face = hb.hb_face_create(blob, 0);
  hb.hb_blob_destroy(blob);
  const input = hb.hb_subset_input_create_or_fail();
  const unicodes = hb.hb_subset_input_unicode_set(input);
  [...codepoints].sort((a, b) => a - b).forEach((cp) => hb.hb_set_add(unicodes, cp));
  const result = hb.hb_subset_or_fail(face, input);
  hb.hb_subset_input_destroy(input);
  if (!result) throw new Error('HarfBuzz could not subset the font');
  const out = hb.hb_face_reference_blob(result);
  const data = hb.hb_blob_get_data(out, 0);
  const bytes = new Uint8Array(hb.memory.buffer, data, hb.hb_blob_get_length(out)).slice();
  hb.hb_blob_destroy(out);
  hb.hb_face_destroy(result);
  hb.hb_face_destroy(face);
  hb.free(pointer);
  return bytes;
}

mkdirSync(join(outdir, 'styles'), { recursive: true });
mkdirSync(join(outdir, SUBSET_FOLDER), { recursive: true });
css = css.replace(FONT_SRC, (src, name) => {
  const bytes = subset(readFileSync(join(themeStatic, WEBFONTS, `${name}.ttf`)));
  if (INLINE_FONTS.has(name)) {
    return `src:url(data:font/ttf;base64,${Buffer.from(bytes).toString('base64')}) format("truetype")`;
  }
  writeFileSync(join(outdir, SUBSET_FOLDER, `${name}.ttf`), bytes);
  return `src:url(../${SUBSET_FOLDER}/${name}.ttf) format("truetype")`;
});
writeFileSync(join(outdir, THEME_CSS), css);
