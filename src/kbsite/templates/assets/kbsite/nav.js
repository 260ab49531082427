/* kbsite: the full navigation tree on pages that carry it pruned (kbsite/plugin/navcache.py).
   The tree is one shared file per build (its name is a hash of its bytes, so the browser caches
   it for good), written by the site's own templates with site-relative URLs; here those are
   resolved against the site root and the tree replaces the pruned nav in place. Without
   scripts, or if the fetch fails, the pruned nav stays: its 主题 link leads to the topic index. */
(function () {
  "use strict";
  var pending = null;

  function load(src) {
    if (!pending) {
      pending = fetch(src.href, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error("nav tree: " + r.status);
        return r.text();
      });
    }
    return pending;
  }

  function expand() {
    var nav = document.querySelector("nav.md-nav--primary[data-kb-nav-tree]");
    if (!nav) return;
    var src = new URL(nav.getAttribute("data-kb-nav-tree"), location.href);
    var root = new URL("../../", src); // the file sits in <root>/assets/kbsite/
    load(src).then(function (text) {
      if (!nav.isConnected) return;
      var tpl = document.createElement("template");
      tpl.innerHTML = text; // our own build output, every note value escaped by the templates
      var tree = tpl.content.querySelector("nav.md-nav--primary");
      if (!tree) return;
      tree.querySelectorAll("[href], [src]").forEach(function (el) {
        var name = el.hasAttribute("href") ? "href" : "src";
        var url = new URL(el.getAttribute(name), root);
        el.setAttribute(name, url.origin === location.origin ? url.pathname + url.search + url.hash : url.href);
      });
      nav.replaceWith(tree);
    }).catch(function () { /* keep the pruned nav */ });
  }

  // Material's instant navigation swaps pages without a load: follow its document$ if there.
  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(expand);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", expand);
  else expand();
})();
