// Subset fonts to the characters a page can show, with HarfBuzz's subsetter
// (harfbuzzjs, pinned in package-lock.json):
//
//   node book/_ext/course/icon_fonts/subset.mjs CODEPOINTS IN.ttf OUT.ttf [IN2.ttf OUT2.ttf ...]
//
// CODEPOINTS is a comma-separated list of hexadecimal code points (f135,f09b,...).
// Each output keeps only the glyphs of those code points that its font has (and
// the tables a browser needs). book/_ext/course/light_pages.py runs this for the theme's
// Font Awesome fonts. Same inputs, same bytes.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [codepointList, ...pairs] = process.argv.slice(2);
if (!codepointList || pairs.length === 0 || pairs.length % 2) {
  console.error('usage: node subset.mjs CODEPOINTS IN.ttf OUT.ttf [IN2.ttf OUT2.ttf ...]');
  process.exit(2);
}
const codepoints = codepointList.split(',').filter(Boolean).map((hex) => parseInt(hex, 16));
const wasm = readFileSync(require.resolve('harfbuzzjs/dist/harfbuzz-subset.wasm'));
const { instance } = await WebAssembly.instantiate(wasm);
const hb = instance.exports;
if (hb._initialize) hb._initialize();

function subset(font) {
  const pointer = hb.malloc(font.byteLength);
  new Uint8Array(hb.memory.buffer).set(font, pointer);
  const blob = hb.hb_blob_create(pointer, font.byteLength, 2 /* HB_MEMORY_MODE_WRITABLE */, 0, 0);
  const face = hb.hb_face_create(blob, 0);
  hb.hb_blob_destroy(blob);
  const input = hb.hb_subset_input_create_or_fail();
  const unicodes = hb.hb_subset_input_unicode_set(input);
  codepoints.forEach((cp) => hb.hb_set_add(unicodes, cp));
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

for (let i = 0; i < pairs.length; i += 2) {
  writeFileSync(pairs[i + 1], subset(readFileSync(pairs[i])));
}
