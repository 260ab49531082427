/* kbsite: hover previews of internal links (docs/reader.md).
 *
 * Hovering or focusing a link to a note or topic page shows a popover with its title, badges
 * and section excerpts, scrolled to the linked heading. The data is one small JSON file per
 * page, written at build time (kbsite/plugin/previews.py) and fetched once. Wanted notes
 * (span.kb-wanted) preview as "还没写". Previews stack: a link inside a preview opens another.
 * Escape closes the topmost one. Off where there is no hover (touch screens).
 *
 * Titles and names go into the page with textContent; the only HTML inserted is each excerpt,
 * which is the build's sanitiser output (nh3), and its links are re-resolved against the site root.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.matchMedia || !window.fetch || window.matchMedia("(hover: none)").matches) return;
  var ROOT = new URL("../../", script.src);
  var DATA = new URL("previews/", script.src).href;
  var OPEN_DELAY = 250, CLOSE_DELAY = 300;
  var cache = {};  // page path -> Promise of the preview (or null)
  var stack = [];  // open previews, bottom first: {box, anchor}
  var openTimer = 0, closeTimer = 0, token = 0, refocusing = false, pressed = 0;

  /** The data path of a same-site page URL (encoded), or null: the rule of core.graphdata.data_path. */
  function pathOf(url) {
    if (url.origin !== ROOT.origin || url.pathname.indexOf(ROOT.pathname) !== 0) return null;
    var rel = url.pathname.slice(ROOT.pathname.length);
    if (/^(assets|search)\//.test(rel)) return null;
    if (rel.slice(-1) === "/") rel = rel.slice(0, -1);
    else if (rel.slice(-5) === ".html") rel = rel.slice(0, -5);
    return rel || "index";
  }

  var HERE = pathOf(new URL(location.href));
  // Links to notes and topics: wikilinks, the lists kbsite writes (backlinks, related notes, a
  // topic's notes, the graph's list ...), links inside a preview, and plain links in the text.
  var LINKS = "a.kb-link, a.kb-topic, .kb-backlinks a, .kb-related a, .kb-notes a, .kb-subtopics a, " +
    ".kb-graph__items a, .kb-tree a, .kb-folder-tree a, .kb-todo-items a, .kb-wanted-list a, .kb-breadcrumb a, " +
    ".kb-preview__text a, .md-content a:not([class])";
  var MISSING = "kbsite.previews.missing";  // pages without a preview (asked once per session)
  var missing = {};
  try { missing = JSON.parse(window.sessionStorage.getItem(MISSING) || "{}"); } catch (e) { missing = {}; }

  function levelOf(node) {
    for (var i = stack.length - 1; i >= 0; i--) if (stack[i].box.contains(node)) return i;
    return -1;
  }

  /** What a preview would be shown for: {anchor, wanted} or {anchor, path, hash}; else null. */
  function targetOf(node) {
    if (!node || !node.closest) return null;
    var anchor = node.closest("a[href], span.kb-wanted");
    if (!anchor || anchor.closest("svg") || anchor.hasAttribute("data-kb-nopreview")) return null;
    if (!anchor.closest(".md-content, .kb-preview")) return null;
    if (anchor.matches("span.kb-wanted")) return { anchor: anchor, wanted: true };
    if (!anchor.matches(LINKS)) return null;
    var url;
    try { url = new URL(anchor.href); } catch (e) { return null; }
    var path = pathOf(url);
    var inPreview = anchor.closest(".kb-preview");
    var page = inPreview ? inPreview.getAttribute("data-kb-path") : HERE;
    if (!path || path === page) return null;
    return { anchor: anchor, path: path, hash: url.hash };
  }

  function load(path) {
    if (missing[path]) return Promise.resolve(null);
    if (!cache[path]) {
      cache[path] = fetch(DATA + path + ".json").then(function (r) {
        if (r.ok) return r.json();
        missing[path] = 1;
        try { window.sessionStorage.setItem(MISSING, JSON.stringify(missing)); } catch (e) { /* private mode */ }
        return null;
      }).catch(function () { return null; });
    }
    return cache[path];
  }

  function el(name, cls, text) {
    var e = document.createElement(name);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function badge(text, cls) { return el("span", "kb-badge " + cls, text); }

  function decode(hash) {
    try { return decodeURIComponent(hash.replace(/^#/, "")); } catch (e) { return hash.replace(/^#/, ""); }
  }

  function render(target, data) {
    var box = el("div", "kb-preview");
    box.setAttribute("role", "dialog");
    var head = el("div", "kb-preview__head");
    var body = el("div", "kb-preview__body");
    if (target.wanted) {
      var name = target.anchor.textContent;
      box.setAttribute("aria-label", "预览：" + name);
      head.appendChild(el("span", "kb-preview__title", name));
      head.appendChild(badge("还没写", "kb-status kb-status--wanted"));
      body.appendChild(el("p", "kb-preview__empty", "还没写：有笔记链接到这里，但这篇笔记还不存在。"));
    } else {
      box.setAttribute("aria-label", "预览：" + data.title);
      box.setAttribute("data-kb-path", target.path);
      var title = el("a", "kb-preview__title", data.title);
      title.href = new URL(data.url, ROOT).href + (target.hash || "");
      title.setAttribute("data-kb-nopreview", "");
      head.appendChild(title);
      if (data.type_label) head.appendChild(badge(data.type_label, "kb-type"));
      if (data.status_label) head.appendChild(badge(data.status_label, "kb-status kb-status--" + data.status));
      var want = target.hash ? decode(target.hash) : "";
      var focus = null;
      (data.sections || []).forEach(function (s) {
        var sec = el("div", "kb-preview__section");
        sec.setAttribute("data-kb-id", s[0]);
        if (s[1]) sec.appendChild(el("p", "kb-preview__heading kb-preview__heading--h" + s[2], s[1]));
        if (s[3]) {
          var content = el("div", "kb-preview__text");
          content.innerHTML = s[3];  // the build's sanitiser output (sanitize_html), never raw note text
          content.querySelectorAll("a[href]").forEach(function (a) {
            a.setAttribute("href", new URL(a.getAttribute("href"), ROOT).href);
          });
          sec.appendChild(content);
        }
        if (!s[1] && !s[3]) return;
        if (want && s[0] === want) { focus = sec; sec.classList.add("kb-preview__section--target"); }
        body.appendChild(sec);
      });
      if (!body.childNodes.length) body.appendChild(el("p", "kb-preview__empty", "这篇笔记还没有正文。"));
      box.kbTarget = focus;
    }
    box.appendChild(head);
    box.appendChild(body);
    return box;
  }

  function place(box, anchor, level) {
    box.style.zIndex = String(20 + level);
    box.style.left = "0px"; box.style.top = "0px";
    document.body.appendChild(box);
    var r = anchor.getBoundingClientRect();
    var w = box.offsetWidth, h = box.offsetHeight;
    var vw = document.documentElement.clientWidth, vh = window.innerHeight;
    var left = Math.max(8, Math.min(vw - w - 8, r.left));
    var top = r.bottom + 6;
    if (top + h > vh - 8 && r.top - h - 6 > 8) top = r.top - h - 6;
    box.style.left = Math.round(left + window.scrollX) + "px";
    box.style.top = Math.round(top + window.scrollY) + "px";
    var body = box.querySelector(".kb-preview__body");
    if (box.kbTarget && body) body.scrollTop = Math.max(0, box.kbTarget.offsetTop - 4);  // the body is the offset parent
  }

  function closeFrom(level) {
    while (stack.length > Math.max(0, level)) {
      var top = stack.pop();
      top.anchor.removeAttribute("aria-describedby");
      top.box.remove();
    }
  }

  function open(target, level) {
    var my = ++token;
    var ready = target.wanted ? Promise.resolve(null) : load(target.path);
    ready.then(function (data) {
      if (my !== token || (!target.wanted && !data) || !target.anchor.isConnected) return;
      if (stack[level - 1] && !stack[level - 1].box.isConnected) return;
      closeFrom(level);
      var box = render(target, data);
      box.id = "kb-preview-" + level;
      stack.push({ box: box, anchor: target.anchor });
      place(box, target.anchor, level);
      target.anchor.setAttribute("aria-describedby", box.id);
    });
  }

  function schedule(fn, delay) { return window.setTimeout(fn, delay); }

  document.addEventListener("mouseover", function (e) {
    var level = levelOf(e.target);
    var target = targetOf(e.target);
    window.clearTimeout(closeTimer);
    window.clearTimeout(openTimer);
    if (target) {
      var next = stack[level + 1];
      if (next && next.anchor === target.anchor) { closeFrom(level + 2); return; }
      openTimer = schedule(function () { open(target, level + 1); }, OPEN_DELAY);
    } else {
      token++;
      if (stack.length > level + 1) closeTimer = schedule(function () { closeFrom(level + 1); }, CLOSE_DELAY);
    }
  });

  // A click focuses its link and then leaves the page: no preview for that (the pointer has its
  // own, after a pause), and no request cut short by the navigation.
  document.addEventListener("pointerdown", function () {
    pressed = Date.now();
    token++;
    window.clearTimeout(openTimer);
  }, true);

  document.addEventListener("focusin", function (e) {
    if (refocusing || Date.now() - pressed < 800) return;
    var level = levelOf(e.target);
    var target = targetOf(e.target);
    window.clearTimeout(openTimer);
    if (target) {
      var next = stack[level + 1];
      if (!(next && next.anchor === target.anchor)) open(target, level + 1);
    } else {
      closeFrom(level + 1);
    }
  });

  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape" || !stack.length) return;
    var top = stack[stack.length - 1];
    var inside = top.box.contains(document.activeElement);
    token++;
    window.clearTimeout(openTimer);
    closeFrom(stack.length - 1);
    if (inside && top.anchor.focus) {
      refocusing = true;
      try { top.anchor.focus({ preventScroll: true }); } finally { refocusing = false; }
    }
    e.stopPropagation();
  }, true);

  document.addEventListener("click", function (e) {
    if (levelOf(e.target) < 0 && !targetOf(e.target)) closeFrom(0);
  });
})();
