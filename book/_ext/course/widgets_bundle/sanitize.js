// Stands in for the sanitize-html package (which brings htmlparser2, postcss and
// the HTML entity tables: about a third of the bundle) in ManagerBase's
// inline_sanitize, used only for widget descriptions with description_allow_html.
// Same allowlist as @jupyter-widgets/base-manager's default_inline_sanitize; the
// markup is parsed into an inert document (nothing in it runs or loads), every
// element not allowed is replaced by its text, every attribute not allowed is
// dropped, and links and images keep only http(s), mailto and relative addresses.
const ALLOWED_TAGS = new Set(['A', 'ABBR', 'B', 'CODE', 'EM', 'I', 'IMG', 'LI', 'OL', 'SPAN', 'STRONG', 'UL']);
const URL_ATTRIBUTES = { A: 'href', IMG: 'src' };
const SAFE_URL = /^(?:(?:https?|mailto):|[^:]*$)/i;

function allowedAttribute(element, attribute) {
  const name = attribute.name.toLowerCase();
  if (['class', 'style', 'title'].includes(name) || name.startsWith('aria-')) return true;
  return URL_ATTRIBUTES[element.tagName] === name && SAFE_URL.test(attribute.value.trim());
}

function clean(node, doc) {
  Array.from(node.childNodes).forEach((child) => {
    if (child.nodeType === 3) return; // text
    if (child.nodeType !== 1) {
      child.remove(); // comments, processing instructions
      return;
    }
    if (!ALLOWED_TAGS.has(child.tagName)) {
      const dropContent = ['SCRIPT', 'STYLE', 'TEMPLATE', 'IFRAME', 'OBJECT', 'NOSCRIPT'].includes(child.tagName);
      child.replaceWith(doc.createTextNode(dropContent ? '' : child.textContent));
      return;
    }
    Array.from(child.attributes).forEach((a) => {
      if (!allowedAttribute(child, a)) child.removeAttribute(a.name);
    });
    clean(child, doc);
  });
}

export default function sanitize(html) {
  const doc = new DOMParser().parseFromString(`<body>${String(html)}</body>`, 'text/html');
  clean(doc.body, doc);
  return doc.body.innerHTML;
}
