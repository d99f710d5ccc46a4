// Stands in for jQuery (90 KB, a fifth of the bundle, and the slowest part of its
// start-up) in @jupyter-widgets/base and controls, and in Backbone. ipywidgets 8
// only wraps each view's element as `view.$el` (`$(el)`, `el instanceof $`,
// `view.$el[0]`): its NativeView handles events and attributes with the DOM, and
// no widget in @jupyter-widgets/base or controls calls a jQuery method (checked
// against their lib/*.js: `$el` is only ever assigned). Backbone.View.$ and
// remove() keep working through `find` and `remove` below; Backbone.ajax is not.
function $(element) {
  if (!(this instanceof $)) return new $(element);
  const nodes = element == null ? [] : [element];
  nodes.forEach((node, i) => { this[i] = node; });
  this.length = nodes.length;
}

$.prototype.find = function find(selector) {
  const found = new $();
  const nodes = this[0] ? Array.from(this[0].querySelectorAll(selector)) : [];
  nodes.forEach((node, i) => { found[i] = node; });
  found.length = nodes.length;
  return found;
};

$.prototype.remove = function remove() {
  if (this[0] && this[0].parentNode) this[0].parentNode.removeChild(this[0]);
  return this;
};

module.exports = $;
