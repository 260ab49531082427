/* kbsite: Mermaid without a CDN. Material renders ```mermaid blocks with window.mermaid and, when it
   is not defined, fetches mermaid from unpkg. This stands in for it (defined before Material's
   bundle runs) and loads the copy vendored with the site on the first diagram. */
(function () {
  if (window.mermaid) return;
  var me = document.currentScript && document.currentScript.src;
  var src = me ? me.replace(/mermaid-loader\.js(\?.*)?$/, "vendor/mermaid/mermaid.min.js") : null;
  var config = null, loading = null;
  function load() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = src;
        s.onload = function () { resolve(window.mermaid); };
        s.onerror = function () { reject(new Error("kbsite: cannot load " + src)); };
        document.head.appendChild(s);
      }).then(function (real) {
        // Diagram text comes from notes: whatever Material passes, Mermaid sanitises labels and
        // ignores click callbacks (strict is also Mermaid's default; a diagram's own init
        // directive cannot change it).
        real.initialize(Object.assign({startOnLoad: false}, config, {securityLevel: "strict"}));
        return real;
      });
    }
    return loading;
  }
  window.mermaid = {
    kbsiteLoader: true,
    initialize: function (c) { config = c; },
    render: function (id, text) { return load().then(function (real) { return real.render(id, text); }); }
  };
})();
