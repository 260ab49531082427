/* kbsite: the graph view (docs/reader.md).
 *
 * - Local graph (note and topic pages): section.kb-graph--local[data-kb-graph] names the page's
 *   small data file; it is drawn as SVG, each node an <a> (focusable, Enter opens it). Depth 2
 *   fetches the neighbours' own files. Colours come from CSS (reader.css), so the palette toggle
 *   recolours it without a redraw.
 * - Global graph (graph.md): section.kb-graph--global[data-kb-graph-global] names the whole
 *   graph's file, fetched on that page only. Drawn on a canvas; the seed layout from the build is
 *   relaxed by d3-force in a worker (this same file), which then stops: no timer runs afterwards.
 *   Colours are CSS variables read again whenever data-md-color-scheme changes.
 *
 * Every title and URL is note data: it reaches the page through textContent, setAttribute and
 * canvas fillText only.
 */
(function () {
  "use strict";

  var VENDOR = "vendor/d3-force-3.0.0/d3-force.bundle.min.js";

  // ---- Worker mode: the global layout -----------------------------------------------------
  if (typeof document === "undefined") {
    self.onmessage = function (event) {
      importScripts(new URL(VENDOR, self.location.href).href);
      relax(event.data);
    };
    return;
  }

  function relax(msg) {
    var d3 = self.d3, n = msg.n, xy = msg.xy, i;
    var nodes = new Array(n);
    for (i = 0; i < n; i++) nodes[i] = { x: xy[2 * i], y: xy[2 * i + 1] };
    var links = [], e = msg.edges, k = msg.kinds;
    for (i = 0; i < k.length; i++) links.push({ source: e[2 * i], target: e[2 * i + 1], kind: k[i] });
    var distance = [34, 26, 18, 60];  // link, wanted, topic, parent (EDGE_KINDS order)
    var sim = d3.forceSimulation(nodes)
      .alpha(msg.alpha).alphaDecay(1 - Math.pow(0.001 / msg.alpha, 1 / msg.ticks))
      .force("charge", d3.forceManyBody().strength(-28).theta(1.2).distanceMax(400))
      .force("link", d3.forceLink(links).distance(function (l) { return distance[l.kind]; }))
      .force("x", d3.forceX(0).strength(0.015))
      .force("y", d3.forceY(0).strength(0.015))
      .stop();
    for (var t = 1; t <= msg.ticks; t++) {
      sim.tick();
      if (t % msg.every === 0 || t === msg.ticks) {
        var out = new Float32Array(2 * n);
        for (i = 0; i < n; i++) { out[2 * i] = nodes[i].x; out[2 * i + 1] = nodes[i].y; }
        self.postMessage({ xy: out, done: t === msg.ticks }, [out.buffer]);
      }
    }
    self.close();
  }

  // ---- Page mode ------------------------------------------------------------------------------
  var SRC = document.currentScript && document.currentScript.src;
  if (!SRC) return;
  var ROOT = new URL("../../", SRC);
  var DATA = new URL("graph/", SRC).href;
  var SVG = "http://www.w3.org/2000/svg";
  var TYPE_LABELS = { paper: "论文", technique: "技术", concept: "概念", model: "模型", topic: "主题" };
  var STATUS_LABELS = { done: "完成", draft: "草稿", todo: "待写", wanted: "还没写" };
  var KINDS = ["link", "wanted", "topic", "parent"];
  var SHAPES = { paper: "square", technique: "diamond", concept: "circle", model: "triangle", topic: "hexagon" };
  var d3Loading = null;

  function loadD3() {
    if (window.d3 && window.d3.forceSimulation) return Promise.resolve(window.d3);
    if (!d3Loading) {
      d3Loading = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = new URL(VENDOR, SRC).href;
        s.onload = function () { resolve(window.d3); };
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return d3Loading;
  }

  function getJSON(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error(r.status + " " + url);
      return r.json();
    }).then(decode);
  }

  // Format 2 writes a node's type and status as indexes into two tables (plugin/graph.py).
  function decode(data) {
    if (data && data.types && data.statuses) {
      data.nodes.forEach(function (n) { n[2] = data.types[n[2]]; n[3] = data.statuses[n[3]]; });
    }
    return data;
  }

  function el(name, cls, text) {
    var e = document.createElement(name);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function svg(name, attrs) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    return e;
  }

  /** The data file of a page URL (site-relative, encoded): the rule of core.graphdata.data_path. */
  function dataURL(url) {
    var rel = url.split("#")[0];
    if (rel.slice(-1) === "/") rel = rel.slice(0, -1);
    else if (rel.slice(-5) === ".html") rel = rel.slice(0, -5);
    return DATA + (rel || "index") + ".json";
  }

  function pageURL(url) { return new URL(url, ROOT).href; }

  /** Open a node's page: here, or in a new tab for a middle click or Ctrl/⌘-click. */
  function follow(href, ev) {
    ev.preventDefault();
    if (ev.button === 1 || ev.ctrlKey || ev.metaKey || ev.shiftKey) window.open(href, "_blank", "noopener");
    else location.href = href;
  }

  function shapeOf(type) { return SHAPES[type] || "circle"; }

  function describe(node) {
    var parts = [node.title];
    var status = STATUS_LABELS[node.status];
    var type = TYPE_LABELS[node.type] || node.type;
    if (status) parts.push(status);
    if (type && node.status !== "wanted") parts.push(type);
    return parts.join("，");
  }

  /** Points of a shape of radius r around (x, y), as an SVG "points" list or a canvas path. */
  function polygon(shape, x, y, r) {
    var pts = [], i, a, n;
    if (shape === "square") { r *= 0.88; return [x - r, y - r, x + r, y - r, x + r, y + r, x - r, y + r]; }
    if (shape === "diamond") { r *= 1.15; return [x, y - r, x + r, y, x, y + r, x - r, y]; }
    if (shape === "triangle") { r *= 1.2; return [x, y - r, x + r * 0.866, y + r * 0.5, x - r * 0.866, y + r * 0.5]; }
    if (shape === "hexagon") {
      for (i = 0, n = 6; i < n; i++) { a = Math.PI / 3 * i + Math.PI / 6; pts.push(x + r * Math.cos(a), y + r * Math.sin(a)); }
      return pts;
    }
    return null;  // a circle
  }

  var WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;
  var TOKENS = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[^\s\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]+|\s+/g;

  /** Display width of a string, in CJK characters (a wide character is 1, others about half). */
  function units(t) {
    var u = 0;
    for (var i = 0; i < t.length; i++) u += WIDE.test(t[i]) ? 1 : 0.55;
    return u;
  }

  /** A title in lines of at most ``max`` units, broken between words or wide characters; past
   *  ``limit`` lines the rest is cut with "…" (the tooltip and the node's accessible name keep
   *  the whole title). */
  function wrap(title, max, limit) {
    var tokens = title.match(TOKENS) || [];
    var lines = [], line = "", used = 0;
    tokens.forEach(function (t) {
      if (/^\s+$/.test(t)) { if (line) { line += " "; used += 0.3; } return; }
      while (units(t) > max) {  // a word longer than a line: split it
        var n = Math.max(1, Math.floor((max - used) / 0.55));
        if (used > 0 && n < 3) { lines.push(line.trim()); line = ""; used = 0; continue; }
        lines.push((line + t.slice(0, n)).trim()); line = ""; used = 0; t = t.slice(n);
      }
      if (used + units(t) > max && line.trim()) { lines.push(line.trim()); line = ""; used = 0; }
      line += t; used += units(t);
    });
    if (line.trim()) lines.push(line.trim());
    if (lines.length > limit) { lines = lines.slice(0, limit); lines[limit - 1] += "…"; }
    return lines;
  }

  function tooltip(host) {
    var tip = el("div", "kb-graph__tip");
    tip.setAttribute("role", "status");
    tip.hidden = true;
    host.appendChild(tip);
    return {
      show: function (node, x, y) {
        tip.textContent = "";
        tip.appendChild(el("strong", null, node.title));
        var meta = [STATUS_LABELS[node.status] || "", TYPE_LABELS[node.type] || node.type || ""]
          .filter(Boolean).join(" · ");
        if (meta) tip.appendChild(el("span", "kb-graph__tip-meta", meta));
        tip.hidden = false;
        var w = host.clientWidth, tw = tip.offsetWidth;
        tip.style.left = Math.max(4, Math.min(w - tw - 4, x + 12)) + "px";
        tip.style.top = Math.max(4, y + 12) + "px";
      },
      hide: function () { tip.hidden = true; }
    };
  }

  // ---- Local graph (SVG) ----------------------------------------------------------------------

  var LOCAL_MAX = 400;  // depth 2 stops adding nodes here

  function initLocal(section) {
    if (section.dataset.kbInit) return;
    section.dataset.kbInit = "1";
    var src = section.getAttribute("data-kb-graph");
    var state = { depth: 1, files: {}, section: section };
    Promise.all([getJSON(src), loadD3()]).then(function (res) {
      state.files[src] = res[0];
      buildLocalUI(state);
      drawLocal(state, merge(state, [src]));
      section.dataset.kbReady = "1";
      if (window.performance && performance.mark) performance.mark("kb-graph-local");
    }).catch(function (err) {
      section.dataset.kbError = String(err);
    });
  }

  function buildLocalUI(state) {
    var section = state.section;
    var list = section.querySelector(".kb-graph__list");
    var bar = el("div", "kb-graph__bar");
    var group = el("div", "kb-graph__depth");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "显示的层数");
    [1, 2].forEach(function (d) {
      var b = el("button", "kb-graph__btn", d === 1 ? "直接相连" : "两层");
      b.type = "button";
      b.setAttribute("aria-pressed", String(d === state.depth));
      b.dataset.kbDepth = String(d);
      b.addEventListener("click", function () { setDepth(state, d); });
      group.appendChild(b);
    });
    bar.appendChild(group);
    bar.appendChild(legend());
    var stage = el("div", "kb-graph__stage");
    state.stage = stage;
    state.tip = tooltip(stage);
    var heading = section.querySelector("h2");
    section.insertBefore(bar, heading ? heading.nextSibling : section.firstChild);
    section.insertBefore(stage, bar.nextSibling);
    if (list) {  // the list stays for screen readers and as a plain view, folded away
      var details = el("details", "kb-graph__fold");
      var summary = el("summary", null, "以列表显示");
      details.appendChild(summary);
      list.parentNode.insertBefore(details, list);
      details.appendChild(list);
    }
  }

  function legend() {
    var box = el("div", "kb-graph__legend");
    box.setAttribute("aria-hidden", "true");
    [["done", "完成"], ["draft", "草稿"], ["todo", "待写"], ["wanted", "还没写"]].forEach(function (s) {
      var item = el("span", "kb-graph__key kb-graph__key--" + s[0]);
      item.appendChild(el("i"));
      item.appendChild(document.createTextNode(s[1]));
      box.appendChild(item);
    });
    [["paper", "论文"], ["technique", "技术"], ["concept", "概念"], ["model", "模型"], ["topic", "主题"]].forEach(function (t) {
      var item = el("span", "kb-graph__key kb-graph__key--shape");
      var icon = svg("svg", { viewBox: "-7 -7 14 14", width: "12", height: "12" });
      var pts = polygon(shapeOf(t[0]), 0, 0, 5);
      icon.appendChild(pts ? svg("polygon", { points: pts.join(" ") }) : svg("circle", { r: "5" }));
      item.appendChild(icon);
      item.appendChild(document.createTextNode(t[1]));
      box.appendChild(item);
    });
    return box;
  }

  function setDepth(state, depth) {
    state.depth = depth;
    state.section.querySelectorAll(".kb-graph__btn").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.kbDepth === String(depth)));
    });
    var src = state.section.getAttribute("data-kb-graph");
    if (depth === 1) { drawLocal(state, merge(state, [src])); return; }
    var first = state.files[src];
    var urls = [src];
    first.nodes.forEach(function (n, i) { if (i > 0 && n[0]) urls.push(dataURL(n[0])); });
    state.section.dataset.kbReady = "";
    Promise.all(urls.map(function (u) {
      if (state.files[u]) return state.files[u];
      return getJSON(u).then(function (d) { state.files[u] = d; return d; }, function () { return null; });
    })).then(function () {
      if (state.depth !== 2) return;
      drawLocal(state, merge(state, urls));
      state.section.dataset.kbReady = "2";
    });
  }

  /** Nodes (by URL, or by title for wanted notes) and edges of the given files, merged. */
  function merge(state, urls) {
    var nodes = [], byId = {}, edges = [], seen = {};
    function id(n) { return n[0] ? "u:" + n[0] : "w:" + n[1]; }
    urls.forEach(function (u, f) {
      var file = state.files[u];
      if (!file) return;
      var local = file.nodes.map(function (n, i) {
        var key = id(n);
        if (!(key in byId)) {
          if (nodes.length >= LOCAL_MAX) return -1;
          byId[key] = nodes.length;
          nodes.push({ url: n[0], title: n[1], type: n[2], status: n[3], depth: f === 0 ? (i === 0 ? 0 : 1) : 2 });
        }
        return byId[key];
      });
      KINDS.forEach(function (kind) {
        var pairs = (file.edges || {})[kind] || [];
        for (var i = 0; i + 1 < pairs.length; i += 2) {
          var a = local[pairs[i]], b = local[pairs[i + 1]];
          if (a < 0 || b < 0 || a === undefined || b === undefined) continue;
          var k = a + ">" + b + ">" + kind;
          if (!seen[k]) { seen[k] = 1; edges.push({ source: a, target: b, kind: kind }); }
        }
      });
      if (f === 0 && file.more) state.more = file.more;
    });
    return { nodes: nodes, edges: edges };
  }

  function drawLocal(state, graph) {
    var d3 = window.d3, nodes = graph.nodes, edges = graph.edges;
    var n = nodes.length;
    var labelled = n <= 30;  // more nodes: labels on the centre, topics and the node under focus
    nodes.forEach(function (node, i) {
      var ring = node.depth === 0 ? 0 : node.depth === 1 ? 150 : 300;
      var a = i * 2.399963;
      node.x = ring * Math.cos(a); node.y = 0.6 * ring * Math.sin(a);
      node.r = node.depth === 0 ? 10 : node.type === "topic" ? 8 : node.depth === 1 ? 6.5 : 4.5;
      node.lines = wrap(node.title, node.depth === 0 ? 16 : 11, 3);
      node.showLabel = node.depth === 0 || (node.depth === 1 && (labelled || node.type === "topic"));
      node.w = Math.min(16, node.lines.reduce(function (m, l) { return Math.max(m, units(l)); }, 0)) * 12;
      node.h = node.lines.length * 14;
    });
    nodes[0].fx = 0; nodes[0].fy = 0;
    var links = edges.map(function (e) { return { source: e.source, target: e.target, kind: e.kind }; });
    var sim = d3.forceSimulation(nodes)
      .force("link", d3.forceLink(links).distance(function (l) { return l.kind === "topic" ? 90 : 120; }).strength(0.15))
      .force("charge", d3.forceManyBody().strength(n > 80 ? -120 : -420))
      .force("collide", d3.forceCollide(function (d) {
        return d.showLabel ? Math.max(d.r + 8, 0.5 * Math.sqrt(d.w * d.w + (d.h + 2 * d.r) * (d.h + 2 * d.r)) + 4) : d.r + 6;
      }).iterations(2))
      .force("x", d3.forceX(0).strength(0.04))
      .force("y", d3.forceY(0).strength(0.11))
      .stop();
    for (var t = 0; t < 260; t++) sim.tick();

    var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    nodes.forEach(function (d) {
      var hw = d.showLabel ? Math.max(d.w / 2, d.r) : d.r, below = d.showLabel ? d.r + 4 + d.h : d.r;
      minX = Math.min(minX, d.x - hw - 6); maxX = Math.max(maxX, d.x + hw + 6);
      minY = Math.min(minY, d.y - d.r - 6); maxY = Math.max(maxY, d.y + below + 6);
    });
    var w = Math.max(maxX - minX, 420), h = Math.max(maxY - minY, 260);
    var cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
    var root = svg("svg", {
      class: "kb-graph__svg", viewBox: [cx - w / 2, cy - h / 2, w, h].map(function (v) { return v.toFixed(1); }).join(" "),
      role: "group", "aria-label": "关系图：" + (n - 1) + " 个相连的节点" + (state.depth === 2 ? "（两层）" : "")
    });
    var gEdges = svg("g", { class: "kb-graph__edges", "aria-hidden": "true" });
    links.forEach(function (l) {
      gEdges.appendChild(svg("line", {
        class: "kb-gedge kb-gedge--" + l.kind, x1: l.source.x.toFixed(1), y1: l.source.y.toFixed(1),
        x2: l.target.x.toFixed(1), y2: l.target.y.toFixed(1)
      }));
    });
    root.appendChild(gEdges);
    var neighbours = nodes.map(function () { return []; });
    links.forEach(function (l) { neighbours[l.source.index].push(l.target.index); neighbours[l.target.index].push(l.source.index); });
    var gNodes = svg("g", { class: "kb-graph__nodes" });
    var order = nodes.slice().sort(function (a, b) { return b.depth - a.depth; });  // the centre on top
    order.forEach(function (d) {
      var cls = "kb-gnode kb-gnode--" + (d.status || "topic") + " kb-gnode--d" + d.depth + " kb-gnode--" + shapeOf(d.type);
      // A node is a <g role="link">, not an SVG <a>: page scripts (Material's among them) take
      // every a[href] for an HTML link, and an SVG link's href is no string.
      var g = svg("g", { class: cls });
      if (d.url) {
        var href = pageURL(d.url);
        g.setAttribute("role", "link");
        g.setAttribute("tabindex", "0");
        g.setAttribute("data-kb-href", href);
        g.addEventListener("click", function (ev) { follow(href, ev); });
        g.addEventListener("auxclick", function (ev) { if (ev.button === 1) follow(href, ev); });
        g.addEventListener("keydown", function (ev) { if (ev.key === "Enter") follow(href, ev); });
      }
      g.setAttribute("aria-label", describe(d));
      g.setAttribute("data-kb-index", String(d.index));
      var pts = polygon(shapeOf(d.type), d.x, d.y, d.r);
      var shape = d.status === "wanted" || !pts ? svg("circle", { cx: d.x.toFixed(1), cy: d.y.toFixed(1), r: d.r })
        : svg("polygon", { points: pts.map(function (v) { return v.toFixed(1); }).join(" ") });
      shape.setAttribute("class", "kb-gshape");
      g.appendChild(shape);
      var label = svg("text", { class: "kb-glabel" + (d.showLabel ? "" : " kb-glabel--hidden"), "text-anchor": "middle" });
      d.lines.forEach(function (line, j) {
        var span = svg("tspan", { x: d.x.toFixed(1), y: (d.y + d.r + 13 + 14 * j).toFixed(1) });
        span.textContent = line;
        label.appendChild(span);
      });
      g.appendChild(label);
      function over(ev) {
        root.classList.add("kb-graph__svg--focus");
        g.classList.add("kb-gnode--lit");
        neighbours[d.index].forEach(function (j) {
          var other = gNodes.querySelector('[data-kb-index="' + j + '"]');
          if (other) other.classList.add("kb-gnode--lit");
        });
        var box = state.stage.getBoundingClientRect();
        var at = ev && ev.clientX != null ? [ev.clientX - box.left, ev.clientY - box.top]
          : [box.width / 2, 8];
        state.tip.show(d, at[0], at[1]);
      }
      function out() {
        root.classList.remove("kb-graph__svg--focus");
        gNodes.querySelectorAll(".kb-gnode--lit").forEach(function (x) { x.classList.remove("kb-gnode--lit"); });
        state.tip.hide();
      }
      g.addEventListener("mouseenter", over);
      g.addEventListener("mousemove", function (ev) { over(ev); });
      g.addEventListener("mouseleave", out);
      g.addEventListener("focus", function () {
        var r = shape.getBoundingClientRect();
        over({ clientX: r.right, clientY: r.bottom });
      });
      g.addEventListener("blur", out);
      gNodes.appendChild(g);
    });
    root.appendChild(gNodes);
    state.stage.querySelectorAll("svg.kb-graph__svg, .kb-graph__note").forEach(function (x) { x.remove(); });
    state.stage.insertBefore(root, state.stage.firstChild);
    if (state.more && state.depth === 1) {
      state.stage.appendChild(el("p", "kb-graph__note", "还有 " + state.more + " 个相连的节点没有画出（列表里也没有）。"));
    }
    state.section.dataset.kbNodes = String(n);
  }

  // ---- Global graph (canvas) ------------------------------------------------------------------

  function initGlobal(section) {
    if (section.dataset.kbInit) return;
    section.dataset.kbInit = "1";
    var started = performance.now();
    Promise.all([getJSON(section.getAttribute("data-kb-graph-global")), loadD3()]).then(function (res) {
      var g = new GlobalGraph(section, res[0]);
      section.kbGraph = g;
      section.dataset.kbReady = "1";
      section.dataset.kbReadyMs = String(Math.round(performance.now() - started));
      section.dataset.kbReadyAt = String(Math.round(performance.now()));  // since navigation start
      if (performance.mark) performance.mark("kb-graph-global");
    }).catch(function (err) { section.dataset.kbError = String(err); });
  }

  function GlobalGraph(section, data) {
    var self = this;
    var n = data.nodes.length;
    this.section = section;
    this.n = n;
    this.url = new Array(n); this.title = new Array(n); this.type = new Array(n); this.status = new Array(n);
    this.X = new Float32Array(n); this.Y = new Float32Array(n); this.R = new Float32Array(n);
    this.shape = new Array(n);
    var degree = new Uint32Array(n), i;
    data.nodes.forEach(function (d, j) {
      self.url[j] = d[0]; self.title[j] = d[1]; self.type[j] = d[2]; self.status[j] = d[3];
      self.X[j] = d[4]; self.Y[j] = d[5]; self.shape[j] = d[3] === "wanted" ? "circle" : shapeOf(d[2]);
    });
    var pairs = [], kinds = [];
    KINDS.forEach(function (kind, k) {
      var e = (data.edges || {})[kind] || [];
      for (i = 0; i + 1 < e.length; i += 2) { pairs.push(e[i], e[i + 1]); kinds.push(k); degree[e[i]]++; degree[e[i + 1]]++; }
    });
    this.edges = new Int32Array(pairs); this.kinds = new Uint8Array(kinds);
    for (i = 0; i < n; i++) this.R[i] = (this.type[i] === "topic" ? 5 : 2.6) + Math.min(9, Math.sqrt(degree[i]) * 0.7);
    // Neighbours (CSR) for highlighting; members of each topic for its cluster disc.
    var start = new Uint32Array(n + 1);
    for (i = 0; i < n; i++) start[i + 1] = start[i] + degree[i];
    var fill = start.slice(0, n), adj = new Uint32Array(start[n]);
    for (i = 0; i < kinds.length; i++) {
      var a = pairs[2 * i], b = pairs[2 * i + 1];
      adj[fill[a]++] = b; adj[fill[b]++] = a;
    }
    this.adjStart = start; this.adj = adj;
    this.members = {};
    for (i = 0; i < kinds.length; i++) if (kinds[i] === 2) (this.members[pairs[2 * i + 1]] = this.members[pairs[2 * i + 1]] || []).push(pairs[2 * i]);

    this.buildUI();
    this.readPalette();
    this.view = { k: 1, x: 0, y: 0 };
    this.fitted = true;  // follow the layout until the reader moves the view
    this.hover = -1; this.focus = -1;
    this.resize();
    this.fit();
    this.bind();
    this.startLayout();
  }

  GlobalGraph.prototype.buildUI = function () {
    var self = this, section = this.section;
    var list = section.querySelector(".kb-graph__list");
    var bar = el("div", "kb-graph__bar");
    var find = el("input", "kb-graph__find");
    find.type = "search";
    find.placeholder = "查找笔记（回车定位）";
    find.setAttribute("aria-label", "在图中查找笔记，回车定位");
    bar.appendChild(find);
    var reset = el("button", "kb-graph__btn", "重置视图");
    reset.type = "button";
    reset.addEventListener("click", function () { self.fitted = true; self.fit(); self.draw(); });
    bar.appendChild(reset);
    bar.appendChild(legend());
    var stage = el("div", "kb-graph__stage kb-graph__stage--global");
    var canvas = el("canvas", "kb-graph__canvas");
    canvas.tabIndex = 0;
    canvas.setAttribute("role", "application");
    canvas.setAttribute("aria-roledescription", "知识图谱");
    canvas.setAttribute("aria-label", "知识图谱，" + this.n + " 个节点。方向键在节点之间移动，回车打开，加号减号缩放，0 重置。");
    stage.appendChild(canvas);
    var live = el("div", "kb-graph__live");
    live.setAttribute("aria-live", "polite");
    stage.appendChild(live);
    section.insertBefore(bar, section.firstChild);
    section.insertBefore(stage, bar.nextSibling);
    if (list) {
      var details = el("details", "kb-graph__fold");
      details.appendChild(el("summary", null, "以列表显示"));
      list.parentNode.insertBefore(details, list);
      details.appendChild(list);
    }
    this.stage = stage; this.canvas = canvas; this.ctx = canvas.getContext("2d"); this.live = live;
    this.tip = tooltip(stage);
    find.addEventListener("keydown", function (e) {
      if (e.key !== "Enter") return;
      e.preventDefault();
      var q = find.value.trim().toLowerCase();
      if (!q) return;
      var best = -1;
      for (var i = 0; i < self.n; i++) {
        var t = self.title[i].toLowerCase();
        if (t === q) { best = i; break; }
        if (best < 0 && t.indexOf(q) >= 0) best = i;
      }
      if (best >= 0) { self.setFocus(best, true); canvas.focus(); }
      else live.textContent = "没有找到“" + find.value + "”";
    });
  };

  GlobalGraph.prototype.readPalette = function () {
    var cs = getComputedStyle(this.section);
    function v(name, fallback) { return cs.getPropertyValue(name).trim() || fallback; }
    this.colors = {
      done: v("--kb-graph-done", "#2e7d32"), draft: v("--kb-graph-draft", "#f9a825"), todo: v("--kb-graph-todo", "#c62828"),
      wanted: v("--kb-graph-wanted", "#c62828"), topic: v("--kb-graph-topic", "#3f51b5"),
      edge: v("--kb-graph-edge", "rgba(0,0,0,.12)"), edgeTopic: v("--kb-graph-edge-topic", "rgba(63,81,181,.12)"),
      lit: v("--kb-graph-lit", "#ff6d00"), label: v("--kb-graph-label", "#333"), bg: v("--kb-graph-bg", "#fff"),
      halo: v("--kb-graph-halo", "rgba(255,255,255,.8)"), cluster: v("--kb-graph-cluster", "0.06")
    };
    this.font = cs.fontFamily || "sans-serif";
    this.baseDirty = true;
    this.section.dataset.kbScheme = (document.body.getAttribute("data-md-color-scheme") || "default");
  };

  GlobalGraph.prototype.resize = function () {
    var dpr = window.devicePixelRatio || 1;
    var w = this.stage.clientWidth, h = this.stage.clientHeight;
    this.w = w; this.h = h; this.dpr = dpr;
    this.canvas.width = Math.round(w * dpr); this.canvas.height = Math.round(h * dpr);
    this.canvas.style.width = w + "px"; this.canvas.style.height = h + "px";
  };

  GlobalGraph.prototype.fit = function () {
    var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity, X = this.X, Y = this.Y;
    for (var i = 0; i < this.n; i++) {
      if (X[i] < minX) minX = X[i]; if (X[i] > maxX) maxX = X[i];
      if (Y[i] < minY) minY = Y[i]; if (Y[i] > maxY) maxY = Y[i];
    }
    if (!this.n) { minX = minY = -1; maxX = maxY = 1; }
    var k = Math.min(this.w / (maxX - minX + 40), this.h / (maxY - minY + 40), 4);
    this.view = { k: k, x: this.w / 2 - k * (minX + maxX) / 2, y: this.h / 2 - k * (minY + maxY) / 2 };
  };

  /** The layout of this very graph (same nodes, same edges) from an earlier visit, if any. */
  GlobalGraph.prototype.signature = function () {
    var h = 2166136261, i, j, t;
    function mix(x) { h = Math.imul(h ^ x, 16777619); }
    for (i = 0; i < this.n; i++) { t = this.url[i] || this.title[i]; for (j = 0; j < t.length; j++) mix(t.charCodeAt(j)); mix(10); }
    for (i = 0; i < this.edges.length; i++) mix(this.edges[i]);
    for (i = 0; i < this.kinds.length; i++) mix(this.kinds[i]);
    return this.n + ":" + this.kinds.length + ":" + (h >>> 0).toString(36);
  };

  var LAYOUT_KEY = "kbsite.graph.layout:" + ROOT.pathname;

  GlobalGraph.prototype.recall = function () {
    try {
      var saved = JSON.parse(window.localStorage.getItem(LAYOUT_KEY) || "null");
      if (!saved || saved.sig !== this.signature()) return false;
      var bytes = atob(saved.xy), buf = new Uint8Array(bytes.length);
      for (var i = 0; i < bytes.length; i++) buf[i] = bytes.charCodeAt(i);
      var xy = new Float32Array(buf.buffer);
      if (xy.length !== 2 * this.n) return false;
      for (i = 0; i < this.n; i++) { this.X[i] = xy[2 * i]; this.Y[i] = xy[2 * i + 1]; }
      return true;
    } catch (e) { return false; }
  };

  GlobalGraph.prototype.remember = function () {
    try {
      var xy = new Float32Array(2 * this.n), s = "", i;
      for (i = 0; i < this.n; i++) { xy[2 * i] = this.X[i]; xy[2 * i + 1] = this.Y[i]; }
      var bytes = new Uint8Array(xy.buffer);
      for (i = 0; i < bytes.length; i += 8192) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
      window.localStorage.setItem(LAYOUT_KEY, JSON.stringify({ sig: this.signature(), xy: btoa(s) }));
    } catch (e) { /* storage full or off: the layout is computed again next time */ }
  };

  GlobalGraph.prototype.startLayout = function () {
    var self = this;
    if (this.recall()) { this.section.dataset.kbLayout = "cached"; this.fit(); this.settled(); return; }
    if (!window.Worker || this.n < 2) { this.settled(); return; }
    var xy = new Float32Array(2 * this.n);
    for (var i = 0; i < this.n; i++) { xy[2 * i] = this.X[i]; xy[2 * i + 1] = this.Y[i]; }
    var worker;
    try { worker = new Worker(SRC); } catch (e) { this.settled(); return; }
    this.worker = worker;
    worker.onmessage = function (ev) {
      var p = ev.data.xy;
      for (var j = 0; j < self.n; j++) { self.X[j] = p[2 * j]; self.Y[j] = p[2 * j + 1]; }
      self.tree = null;
      self.baseDirty = true;
      if (self.fitted) self.fit();
      if (ev.data.done) { worker.terminate(); self.worker = null; self.settled(); self.remember(); }
      else self.draw();
    };
    worker.onerror = function () { worker.terminate(); self.worker = null; self.settled(); };
    var ticks = this.n > 2000 ? 120 : 200;  // from the build's seed layout, not from scratch
    worker.postMessage({ n: this.n, xy: xy, edges: this.edges, kinds: this.kinds, alpha: 0.5, ticks: ticks, every: 10 });
  };

  GlobalGraph.prototype.settled = function () {
    this.section.dataset.kbSettled = "1";
    this.section.dataset.kbSettledAt = String(Math.round(performance.now()));
    this.draw();
  };

  GlobalGraph.prototype.toScreen = function (i) {
    var v = this.view;
    return [v.x + v.k * this.X[i], v.y + v.k * this.Y[i]];
  };

  GlobalGraph.prototype.nodeAt = function (sx, sy) {
    if (!this.tree) {
      var X = this.X, Y = this.Y, idx = new Array(this.n);
      for (var i = 0; i < this.n; i++) idx[i] = i;
      this.tree = window.d3.quadtree(idx, function (j) { return X[j]; }, function (j) { return Y[j]; });
    }
    var v = this.view;
    var gx = (sx - v.x) / v.k, gy = (sy - v.y) / v.k;
    var found = this.tree.find(gx, gy, Math.max(12 / v.k, 6));
    return found === undefined ? -1 : found;
  };

  GlobalGraph.prototype.draw = function () {
    var self = this;
    if (this.frame) return;
    this.frame = requestAnimationFrame(function () { self.frame = 0; self.paint(); });
  };

  /** Mark the view as moving (a drag, the wheel): frames reuse the last full drawing, moved and
   *  scaled, and the full drawing follows once the view has been still for a moment. */
  GlobalGraph.prototype.moved = function () {
    var self = this;
    this.moving = true;
    window.clearTimeout(this.still);
    this.still = window.setTimeout(function () { self.moving = false; self.draw(); }, 140);
  };

  GlobalGraph.prototype.panBy = function (dx, dy) {
    this.fitted = false;
    this.view.x += dx; this.view.y += dy;
    this.moved();
    this.draw();
  };

  /** A frame: the cached full drawing (the base layer) under the highlight of the node in focus
   *  or under the pointer. The base is drawn again only when it is out of date and the view is
   *  still (while the layout runs, at most every 700 ms). */
  GlobalGraph.prototype.paint = function () {
    var v = this.view, b = this.baseView, now = performance.now();
    var stale = this.baseDirty || !b || b.k !== v.k || b.x !== v.x || b.y !== v.y;
    if (stale && !this.moving && (!this.worker || !b || now - this.baseAt > 700)) this.renderBase();
    var ctx = this.ctx;
    b = this.baseView;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = this.colors.bg;
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    var s = v.k / b.k, dpr = this.dpr;
    ctx.drawImage(this.base, (v.x - b.x * s) * dpr, (v.y - b.y * s) * dpr, this.base.width * s, this.base.height * s);
    this.overlay(ctx);
    this.frames = (this.frames || 0) + 1;
  };

  GlobalGraph.prototype.renderBase = function () {
    if (!this.base || this.base.width !== this.canvas.width || this.base.height !== this.canvas.height) {
      this.base = document.createElement("canvas");
      this.base.width = this.canvas.width; this.base.height = this.canvas.height;
    }
    var ctx = this.base.getContext("2d"), v = this.view, c = this.colors, X = this.X, Y = this.Y, R = this.R;
    var i, a, b, n = this.n, E = this.edges, K = this.kinds, self = this;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.base.width, this.base.height);
    ctx.setTransform(this.dpr * v.k, 0, 0, this.dpr * v.k, this.dpr * v.x, this.dpr * v.y);
    // The visible part of the graph, in graph units (nodes and labels outside it are skipped).
    var x0 = -v.x / v.k - 20, y0 = -v.y / v.k - 20, x1 = (this.w - v.x) / v.k + 20, y1 = (this.h - v.y) / v.k + 20;
    // Topic clusters: a faint disc around most of each topic's members.
    for (var t in this.members) {
      var m = this.members[t];
      if (m.length < 3) continue;
      var sx = 0, sy = 0;
      for (i = 0; i < m.length; i++) { sx += X[m[i]]; sy += Y[m[i]]; }
      sx /= m.length; sy /= m.length;
      var d2 = [];
      for (i = 0; i < m.length; i++) d2.push((X[m[i]] - sx) * (X[m[i]] - sx) + (Y[m[i]] - sy) * (Y[m[i]] - sy));
      d2.sort(function (p, q) { return p - q; });
      var rad = Math.sqrt(d2[Math.floor(d2.length * 0.6)]) + 10;
      if (sx + rad < x0 || sx - rad > x1 || sy + rad < y0 || sy - rad > y1) continue;
      ctx.beginPath();
      ctx.arc(sx, sy, rad, 0, 2 * Math.PI);
      ctx.fillStyle = "hsla(" + ((+t * 137.5) % 360) + ",60%,55%," + c.cluster + ")";
      ctx.fill();
    }
    var lw = 1 / v.k;
    var styles = [c.edge, c.edge, c.edgeTopic, c.edgeTopic];
    // Thousands of edges would paint the middle solid: the more there are, the fainter each.
    ctx.globalAlpha = Math.max(0.3, Math.min(1, Math.sqrt(6000 / Math.max(1, K.length))));
    for (var kind = 0; kind < 4; kind++) {
      ctx.beginPath();
      for (i = 0; i < K.length; i++) {
        if (K[i] !== kind) continue;
        a = E[2 * i]; b = E[2 * i + 1];
        if ((X[a] < x0 && X[b] < x0) || (X[a] > x1 && X[b] > x1) || (Y[a] < y0 && Y[b] < y0) || (Y[a] > y1 && Y[b] > y1)) continue;
        ctx.moveTo(X[a], Y[a]); ctx.lineTo(X[b], Y[b]);
      }
      ctx.strokeStyle = styles[kind];
      ctx.lineWidth = lw * (kind === 3 ? 1.5 : 1);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    // Nodes, one path per colour: filled shapes, then hollow wanted notes.
    var groups = { done: [], draft: [], todo: [], topic: [], wanted: [] };
    for (i = 0; i < n; i++) {
      if (X[i] < x0 || X[i] > x1 || Y[i] < y0 || Y[i] > y1) continue;
      (groups[this.status[i]] || groups.topic).push(i);
    }
    ["topic", "todo", "draft", "done"].forEach(function (st) {
      var list = groups[st];
      ctx.beginPath();
      for (var j = 0; j < list.length; j++) self.shapePath(ctx, list[j]);
      ctx.fillStyle = c[st]; ctx.fill();
    });
    ctx.beginPath();
    for (i = 0; i < groups.wanted.length; i++) { a = groups.wanted[i]; ctx.moveTo(X[a] + R[a], Y[a]); ctx.arc(X[a], Y[a], R[a], 0, 2 * Math.PI); }
    ctx.fillStyle = c.bg; ctx.fill();
    ctx.strokeStyle = c.wanted; ctx.lineWidth = 1.4 * lw; ctx.stroke();
    // Labels in screen pixels, topics first, the most connected first, notes once zoomed in; a
    // label that would overlap one already drawn is left out (at most 300).
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    var order = this.labelOrder(), placed = new Placer(), shown = 0;
    for (var o = 0; o < order.length && shown < 300; o++) {
      i = order[o];
      var topic = this.type[i] === "topic";
      if (!topic && v.k <= 1.6) break;
      if (X[i] < x0 || X[i] > x1 || Y[i] < y0 || Y[i] > y1) continue;
      if (this.label(ctx, i, topic ? 13 : 11, topic ? "600" : "400", placed)) shown++;
    }
    this.baseView = { k: v.k, x: v.x, y: v.y };
    this.baseDirty = false;
    this.baseAt = performance.now();
    this.bases = (this.bases || 0) + 1;
  };

  /** The node in focus or under the pointer: its edges, a ring, its label; in the current view. */
  GlobalGraph.prototype.overlay = function (ctx) {
    var v = this.view, c = this.colors, X = this.X, Y = this.Y, R = this.R, self = this;
    var lit = this.hover >= 0 ? this.hover : this.focus;
    if (lit < 0 && this.focus < 0) return;
    ctx.setTransform(this.dpr * v.k, 0, 0, this.dpr * v.k, this.dpr * v.x, this.dpr * v.y);
    var lw = 1 / v.k;
    if (lit >= 0) {
      ctx.beginPath();
      for (var i = this.adjStart[lit]; i < this.adjStart[lit + 1]; i++) { ctx.moveTo(X[lit], Y[lit]); ctx.lineTo(X[this.adj[i]], Y[this.adj[i]]); }
      ctx.strokeStyle = c.lit; ctx.lineWidth = 1.6 * lw; ctx.stroke();
    }
    [this.focus, this.hover].forEach(function (j) {
      if (j < 0) return;
      ctx.beginPath(); self.shapePath(ctx, j);
      ctx.fillStyle = self.status[j] === "wanted" ? c.bg : (c[self.status[j]] || c.topic); ctx.fill();
      ctx.beginPath(); ctx.arc(X[j], Y[j], R[j] + 4 * lw + 2 / v.k, 0, 2 * Math.PI);
      ctx.strokeStyle = c.lit; ctx.lineWidth = 2.5 * lw; ctx.stroke();
    });
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    [this.focus, this.hover].forEach(function (j) { if (j >= 0) self.label(ctx, j, 13, "700"); });
  };

  /** Nodes by label priority: topics before notes, then by number of edges. */
  GlobalGraph.prototype.labelOrder = function () {
    if (this._labelOrder) return this._labelOrder;
    var self = this, order = [];
    for (var i = 0; i < this.n; i++) order.push(i);
    function deg(j) { return self.adjStart[j + 1] - self.adjStart[j]; }
    order.sort(function (a, b) {
      return (self.type[b] === "topic") - (self.type[a] === "topic") || deg(b) - deg(a) || a - b;
    });
    return (this._labelOrder = order);
  };

  /** Draw a node's title under it; with ``placed``, only where no other label is. */
  GlobalGraph.prototype.label = function (ctx, j, size, weight, placed) {
    var v = this.view, px = v.x + v.k * this.X[j], py = v.y + v.k * (this.Y[j] + this.R[j]) + 2;
    ctx.font = weight + " " + size + "px " + this.font;
    if (placed) {
      var w = ctx.measureText(this.title[j]).width;
      if (!placed.take(px - w / 2 - 2, py, px + w / 2 + 2, py + size + 2)) return false;
    }
    ctx.textAlign = "center"; ctx.textBaseline = "top"; ctx.lineJoin = "round";
    ctx.lineWidth = 3; ctx.strokeStyle = this.colors.halo; ctx.strokeText(this.title[j], px, py);
    ctx.fillStyle = this.colors.label; ctx.fillText(this.title[j], px, py);
    return true;
  };

  /** Rectangles already taken on screen, in a grid of 64 px cells. */
  function Placer() { this.cells = {}; }
  Placer.prototype.take = function (x0, y0, x1, y1) {
    var cx0 = Math.floor(x0 / 64), cx1 = Math.floor(x1 / 64), cy0 = Math.floor(y0 / 64), cy1 = Math.floor(y1 / 64), cx, cy, k, list, i, r;
    for (cx = cx0; cx <= cx1; cx++) for (cy = cy0; cy <= cy1; cy++) {
      list = this.cells[cx + "," + cy];
      if (!list) continue;
      for (i = 0; i < list.length; i++) {
        r = list[i];
        if (x0 < r[2] && x1 > r[0] && y0 < r[3] && y1 > r[1]) return false;
      }
    }
    for (cx = cx0; cx <= cx1; cx++) for (cy = cy0; cy <= cy1; cy++) {
      k = cx + "," + cy;
      (this.cells[k] = this.cells[k] || []).push([x0, y0, x1, y1]);
    }
    return true;
  };

  GlobalGraph.prototype.shapePath = function (ctx, i) {
    var x = this.X[i], y = this.Y[i], r = this.R[i];
    var pts = this.status[i] === "wanted" ? null : polygon(this.shape[i], x, y, r);
    if (!pts) { ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, 2 * Math.PI); return; }
    ctx.moveTo(pts[0], pts[1]);
    for (var j = 2; j < pts.length; j += 2) ctx.lineTo(pts[j], pts[j + 1]);
    ctx.closePath();
  };

  GlobalGraph.prototype.describe = function (i) {
    return describe({ title: this.title[i], type: this.type[i], status: this.status[i] }) +
      "，" + (this.adjStart[i + 1] - this.adjStart[i]) + " 条连线";
  };

  GlobalGraph.prototype.setFocus = function (i, center) {
    this.focus = i;
    if (i >= 0) {
      this.live.textContent = this.describe(i);
      if (center) {
        var v = this.view, k = Math.max(v.k, 2);
        this.fitted = false;
        this.view = { k: k, x: this.w / 2 - k * this.X[i], y: this.h / 2 - k * this.Y[i] };
      } else {
        var p = this.toScreen(i);
        if (p[0] < 20 || p[1] < 20 || p[0] > this.w - 20 || p[1] > this.h - 20) {
          this.fitted = false;
          this.view.x += this.w / 2 - p[0]; this.view.y += this.h / 2 - p[1];
        }
      }
    }
    this.draw();
  };

  GlobalGraph.prototype.open = function (i) {
    if (i >= 0 && this.url[i]) location.href = pageURL(this.url[i]);
  };

  GlobalGraph.prototype.zoom = function (factor, sx, sy) {
    var v = this.view, k = Math.max(0.02, Math.min(12, v.k * factor));
    this.fitted = false;
    this.view = { k: k, x: sx - (sx - v.x) * (k / v.k), y: sy - (sy - v.y) * (k / v.k) };
    this.moved();
    this.draw();
  };

  /** The nearest node from ``from`` in an arrow key's direction (within a 60° cone). */
  GlobalGraph.prototype.step = function (from, dx, dy) {
    var best = -1, bestScore = Infinity;
    for (var i = 0; i < this.n; i++) {
      if (i === from) continue;
      var ex = this.X[i] - this.X[from], ey = this.Y[i] - this.Y[from];
      var along = ex * dx + ey * dy;
      if (along <= 0) continue;
      var across = Math.abs(ex * dy - ey * dx);
      if (across > along * 1.2) continue;
      var score = along + 2 * across;
      if (score < bestScore) { bestScore = score; best = i; }
    }
    return best;
  };

  GlobalGraph.prototype.bind = function () {
    var self = this, canvas = this.canvas, drag = null;
    function local(e) { var r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; }
    canvas.addEventListener("pointerdown", function (e) {
      var p = local(e);
      drag = { x: p[0], y: p[1], vx: self.view.x, vy: self.view.y, moved: false, id: e.pointerId };
      canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener("pointermove", function (e) {
      var p = local(e);
      if (drag) {
        if (Math.abs(p[0] - drag.x) + Math.abs(p[1] - drag.y) > 3) drag.moved = true;
        if (drag.moved) {
          self.tip.hide(); self.hover = -1;
          self.panBy(drag.vx + p[0] - drag.x - self.view.x, drag.vy + p[1] - drag.y - self.view.y);
        }
        return;
      }
      var i = self.nodeAt(p[0], p[1]);
      if (i !== self.hover) {
        self.hover = i;
        canvas.style.cursor = i >= 0 && self.url[i] ? "pointer" : "";
        self.draw();
      }
      if (i >= 0) self.tip.show({ title: self.title[i], type: self.type[i], status: self.status[i] }, p[0], p[1]);
      else self.tip.hide();
    });
    canvas.addEventListener("pointerup", function (e) {
      var d = drag;
      drag = null;
      if (d && !d.moved) {
        var p = local(e), i = self.nodeAt(p[0], p[1]);
        if (i >= 0) self.open(i);
      }
    });
    canvas.addEventListener("pointerleave", function () {
      if (drag) return;
      self.hover = -1; self.tip.hide(); self.draw();
    });
    canvas.addEventListener("wheel", function (e) {
      e.preventDefault();
      var p = local(e);
      self.zoom(Math.exp(-e.deltaY * (e.deltaMode ? 0.05 : 0.0015)), p[0], p[1]);
    }, { passive: false });
    canvas.addEventListener("keydown", function (e) {
      var dirs = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      if (dirs[e.key]) {
        e.preventDefault();
        var from = self.focus;
        if (from < 0) { from = self.nodeAt(self.w / 2, self.h / 2); if (from < 0) from = self.central(); self.setFocus(from); return; }
        var next = self.step(from, dirs[e.key][0], dirs[e.key][1]);
        if (next >= 0) self.setFocus(next);
      } else if (e.key === "Enter") {
        if (self.focus >= 0) { e.preventDefault(); self.open(self.focus); }
      } else if (e.key === "+" || e.key === "=") { e.preventDefault(); self.zoom(1.25, self.w / 2, self.h / 2); }
      else if (e.key === "-") { e.preventDefault(); self.zoom(0.8, self.w / 2, self.h / 2); }
      else if (e.key === "0") { e.preventDefault(); self.fitted = true; self.fit(); self.draw(); }
      else if (e.key === "Escape" && self.focus >= 0) { self.setFocus(-1); }
    });
    canvas.addEventListener("focus", function () {
      if (self.focus < 0) self.live.textContent = "方向键选择节点，回车打开。";
    });
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        if (self.stage.clientWidth === self.w && self.stage.clientHeight === self.h) return;
        self.resize(); if (self.fitted) self.fit(); self.baseDirty = true; self.draw();
      }).observe(this.stage);
    }
  };

  GlobalGraph.prototype.central = function () {
    var best = 0;
    for (var i = 1; i < this.n; i++) if (this.adjStart[i + 1] - this.adjStart[i] > this.adjStart[best + 1] - this.adjStart[best]) best = i;
    return best;
  };

  // ---- Start, and follow the palette toggle ---------------------------------------------------

  function init() {
    document.querySelectorAll("section.kb-graph--local[data-kb-graph]").forEach(initLocal);
    document.querySelectorAll("section.kb-graph--global[data-kb-graph-global]").forEach(initGlobal);
  }

  new MutationObserver(function () {
    document.querySelectorAll("section.kb-graph--global").forEach(function (s) {
      if (s.kbGraph) { s.kbGraph.readPalette(); s.kbGraph.draw(); }
    });
  }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(init);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
