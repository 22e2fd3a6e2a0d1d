/* The graph view: the focus subgraph from /api/export/cytoscape drawn with Cytoscape.js in layers
   (cytoscape-dagre): ratings and figures, then commitments, programmes, funding, bodies — one layer per
   node type, in config.layers order, whatever way the edges point.

   - Depth and jurisdiction re-query the export; the role boxes filter in the browser, instantly: with
     roles ticked only the responsibilities with those roles stay, and the nodes they connect.
   - Past config.groupAt nodes, nodes are grouped by type (compound nodes); a group can be collapsed
     into one node (its links merged) and expanded again with a click. Large groups start collapsed.
   - A click on a link shows the quotes that state it (the export's `citations`) in the side panel;
     a click on a node opens its page. The table under the graph lists the same links, for keyboards
     and screen readers. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("view-config").textContent);
  var container = document.getElementById("cy");
  var status = document.getElementById("graph-status");
  var form = document.getElementById("graph-controls");
  var panel = document.getElementById("edge-panel");
  var tip = document.getElementById("cy-tip");
  var tableBody = document.querySelector("#edge-table tbody");
  var edgeCount = document.getElementById("edge-count");
  var GREY = "#8a93a3";
  var MAX_LABEL = 40;
  var COLLAPSE_AT = 12;
  var SLOT = 140; // width of a node and its label in a folded layer
  var ROW = 78; // height of a row of a folded layer // grouped types with more members than this start collapsed

  if (window.cytoscapeDagre) cytoscape.use(window.cytoscapeDagre);

  var roleStyle = {};
  config.roleStyles.forEach(function (r) { roleStyle[r.slug] = r; });
  var layerOf = {};
  config.layers.forEach(function (t, i) { layerOf[t] = i; });

  var full = { nodes: [], edges: [] }; // the export as loaded
  var collapsed = null; // type -> true, decided on the first draw of each load

  /* Where a browser on this server reads about an IRI: our /id/ IRIs map to local /doc/ pages. */
  function docHref(iri) {
    if (!iri) return null;
    var ids = config.base + "/id/";
    if (iri.indexOf(ids) === 0) return config.prefix + "/doc/" + iri.slice(ids.length);
    var path = iri.slice(config.base.length);
    // "//host/…" or "/\host/…" would leave this server (a protocol-relative link): such an IRI links as itself
    if (iri.indexOf(config.base + "/") === 0 && !/^\/[\/\\]/.test(path)) return config.prefix + path;
    return /^https?:\/\//i.test(iri) ? iri : null; // never javascript:, data: ...
  }

  function short(text) {
    text = String(text || "");
    return text.length > MAX_LABEL ? text.slice(0, MAX_LABEL - 1).trimEnd() + "…" : text;
  }

  function selectedRoles() {
    return Array.prototype.map.call(form.querySelectorAll("input[name=roles]:checked"), function (b) { return b.value; });
  }

  /* The query of the export: everything but the roles, which filter in the browser. */
  function serverFilters() {
    var params = new URLSearchParams();
    params.set("focus", config.focus.iri);
    params.set("depth", form.elements.depth.value);
    if (form.elements.jurisdiction.value) params.set("jurisdiction", form.elements.jurisdiction.value);
    return params;
  }

  function pageFilters() {
    var params = serverFilters();
    selectedRoles().forEach(function (r) { params.append("roles", r); });
    return params;
  }

  function setStatus(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  function edgeColour(e) {
    var s = roleStyle[e.data("role")];
    return s ? s.colour : GREY;
  }

  var cy = cytoscape({
    container: container,
    elements: [],
    minZoom: 0.05,
    maxZoom: 4,
    style: [
      {
        selector: "node",
        style: {
          "background-color": function (n) { return config.typeColours[n.data("type")] || GREY; },
          "shape": function (n) { return config.typeShapes[n.data("type")] || "ellipse"; },
          "label": "data(short)",
          "font-size": 12,
          "color": "#1d2330",
          "text-wrap": "wrap",
          "text-max-width": 120,
          "text-valign": "bottom",
          "text-margin-y": 3,
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.85,
          "text-background-padding": 1,
          "min-zoomed-font-size": 5,
          "width": 24,
          "height": 24,
        },
      },
      {
        selector: "node.focus",
        style: { "width": 38, "height": 38, "border-width": 4, "border-color": "#1d2330", "font-size": 13, "font-weight": "bold" },
      },
      {
        selector: "node.summary",
        style: { "width": 46, "height": 46, "border-width": 3, "border-style": "double", "border-color": "#1d2330", "font-weight": "bold" },
      },
      {
        selector: "node.group",
        style: {
          "shape": "round-rectangle",
          "background-color": function (n) { return config.typeColours[n.data("groupType")] || GREY; },
          "background-opacity": 0.07,
          "border-width": 1,
          "border-style": "dashed",
          "border-color": function (n) { return config.typeColours[n.data("groupType")] || GREY; },
          "label": "data(short)",
          "text-valign": "top",
          "text-halign": "center",
          "font-size": 12,
          "font-weight": "bold",
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.9,
          "text-background-padding": 2,
          "padding": 12,
        },
      },
      { selector: "node.ghost", style: { "width": 1, "height": 1, "opacity": 0, "label": "" } },
      { selector: "edge.ghost", style: { "opacity": 0, "label": "" } },
      {
        selector: "edge",
        style: {
          "curve-style": "bezier",
          "target-arrow-shape": "triangle",
          "arrow-scale": 0.8,
          "width": function (e) { return e.data("role") ? 2.5 : 1.2; },
          "line-color": edgeColour,
          "target-arrow-color": edgeColour,
          "label": "data(display)",
          "font-size": 9,
          "min-zoomed-font-size": 8,
          "color": "#3d4555",
          "text-rotation": "autorotate",
          "text-background-color": "#fff",
          "text-background-opacity": 0.85,
          "text-background-padding": 1,
        },
      },
      { selector: "edge.merged", style: { "width": function (e) { return Math.min(2 + e.data("count"), 8); } } },
      { selector: "edge:selected", style: { "width": 5, "overlay-opacity": 0.2, "overlay-color": "#1d2330" } },
      { selector: "node:active, node:selected", style: { "overlay-opacity": 0.15 } },
    ],
  });
  window.cy = cy;

  /* -- what is shown ----------------------------------------------------------------------------- */

  /* The export's nodes and edges after the role filter: with roles ticked, only the responsibility
     edges of those roles, and the nodes they connect (the focus always stays). */
  function filtered() {
    var roles = selectedRoles();
    if (!roles.length) return { nodes: full.nodes, edges: full.edges };
    var wanted = {};
    roles.forEach(function (r) { wanted[r] = true; });
    var edges = full.edges.filter(function (e) { return wanted[e.data.role]; });
    var keep = {};
    keep[config.focus.node] = true;
    edges.forEach(function (e) { keep[e.data.source] = true; keep[e.data.target] = true; });
    return { nodes: full.nodes.filter(function (n) { return keep[n.data.id]; }), edges: edges };
  }

  /* Collapsed types become one summary node each; their edges are merged per (other end, relation). */
  function collapse(shown, types) {
    var into = {};
    var nodes = [];
    var summaries = {};
    shown.nodes.forEach(function (n) {
      var t = n.data.type;
      if (types[t] && n.data.id !== config.focus.node) {
        var id = "group_" + t;
        into[n.data.id] = id;
        if (!summaries[id]) {
          summaries[id] = { data: { id: id, type: t, members: 0, summary: true }, classes: "summary" };
          nodes.push(summaries[id]);
        }
        summaries[id].data.members += 1;
      } else {
        nodes.push({ data: n.data, classes: n.data.id === config.focus.node ? "focus" : "" });
      }
    });
    Object.keys(summaries).forEach(function (id) {
      var d = summaries[id].data;
      d.label = d.members + " × " + d.type + " (expand)";
      d.full = d.members + " nodes of type " + d.type + ", collapsed: click to expand";
    });
    var merged = {};
    var edges = [];
    shown.edges.forEach(function (e) {
      var s = into[e.data.source] || e.data.source;
      var t = into[e.data.target] || e.data.target;
      if (s === t) return;
      var kind = e.data.role || e.data.relation;
      if (into[e.data.source] || into[e.data.target]) {
        var key = s + "|" + t + "|" + kind;
        if (!merged[key]) {
          merged[key] = {
            data: { id: "merged_" + edges.length, source: s, target: t, role: e.data.role, relation: e.data.relation,
                    label: e.data.label, count: 0, members: [] },
            classes: "merged",
          };
          edges.push(merged[key]);
        }
        merged[key].data.count += 1;
        merged[key].data.members.push(e.data);
      } else {
        edges.push({ data: Object.assign({}, e.data, { id: "e_" + edges.length }) });
      }
    });
    edges.forEach(function (e) {
      var name = e.data.role ? (roleStyle[e.data.role] || {}).label || e.data.role : e.data.label || e.data.relation;
      e.data.display = e.data.count ? name + " ×" + e.data.count : (e.data.role || e.data.label || e.data.relation || "");
      e.data.roleLabel = name;
    });
    nodes.forEach(function (n) { n.data = Object.assign({}, n.data, { short: short(n.data.label || n.data.id) }); });
    return { nodes: nodes, edges: edges };
  }

  /* Layers by type: invisible anchor nodes between the layers, and each edge copied as an invisible
     edge pointing down the layers, are what dagre ranks; then the copies and anchors go. */
  function layout() {
    var present = [];
    cy.nodes().forEach(function (n) {
      var l = layerOf[n.data("type")];
      if (l !== undefined && present.indexOf(l) < 0) present.push(l);
    });
    present.sort(function (a, b) { return a - b; });
    var ghosts = [];
    present.forEach(function (l, i) { ghosts.push({ group: "nodes", data: { id: "__layer" + i }, classes: "ghost" }); });
    var index = {};
    present.forEach(function (l, i) { index[l] = i; });
    cy.nodes().forEach(function (n) {
      var i = index[layerOf[n.data("type")]];
      if (i === undefined) return;
      ghosts.push({ group: "edges", data: { source: "__layer" + i, target: n.id(), weight: 1 }, classes: "ghost" });
      if (i + 1 < present.length) {
        ghosts.push({ group: "edges", data: { source: n.id(), target: "__layer" + (i + 1), weight: 1 }, classes: "ghost" });
      }
    });
    cy.edges().forEach(function (e) {
      var a = layerOf[e.source().data("type")];
      var b = layerOf[e.target().data("type")];
      if (a === undefined || b === undefined || a === b) return;
      var down = a < b ? [e.source().id(), e.target().id()] : [e.target().id(), e.source().id()];
      ghosts.push({ group: "edges", data: { source: down[0], target: down[1], weight: 4 }, classes: "ghost" });
    });
    var added = cy.add(ghosts);
    cy.nodes().not(added).union(added).layout({
      name: "dagre",
      rankDir: "TB",
      nodeSep: 16,
      rankSep: 34,
      edgeSep: 6,
      nodeDimensionsIncludeLabels: true,
      edgeWeight: function (e) { return e.data("weight") || 1; },
      animate: false,
      fit: false,
    }).run();
    cy.remove(added);
    wrapLayers();
  }

  /* A layer wider than the view is folded into rows (keeping dagre's left-to-right order, which
     limits crossings), and the layers below move down: labels stay readable at zoom 1. */
  function wrapLayers() {
    var layers = {};
    cy.nodes().forEach(function (n) {
      var l = layerOf[n.data("type")];
      if (l === undefined) l = -1;
      (layers[l] = layers[l] || []).push(n);
    });
    var keys = Object.keys(layers).map(Number).sort(function (a, b) { return a - b; });
    var perRow = Math.max(4, Math.floor((cy.width() - 40) / SLOT));
    var shift = 0;
    var xs = cy.nodes().map(function (n) { return n.position("x"); });
    var centre = (Math.min.apply(null, xs) + Math.max.apply(null, xs)) / 2;
    keys.forEach(function (k) {
      var nodes = layers[k].sort(function (a, b) { return a.position("x") - b.position("x"); });
      var top = Math.min.apply(null, nodes.map(function (n) { return n.position("y"); })) + shift;
      var rows = Math.ceil(nodes.length / perRow);
      if (rows <= 1) {
        nodes.forEach(function (n) { n.position("y", n.position("y") + shift); });
        return;
      }
      var width = Math.ceil(nodes.length / rows);
      nodes.forEach(function (n, i) {
        var row = Math.floor(i / width);
        var inRow = Math.min(width, nodes.length - row * width);
        var col = i - row * width;
        n.position({ x: centre + (col - (inRow - 1) / 2) * SLOT + (row % 2 ? SLOT / 4 : 0), y: top + row * ROW });
      });
      shift += (rows - 1) * ROW;
    });
  }

  /* Past config.groupAt nodes: one compound node per type with two or more members (the focus too). */
  function group(grouped) {
    if (!grouped) return;
    var members = {};
    cy.nodes().not(".summary").forEach(function (n) {
      (members[n.data("type")] = members[n.data("type")] || []).push(n);
    });
    Object.keys(members).forEach(function (t) {
      if (members[t].length < 2) return;
      var id = "grp_" + t;
      cy.add({ group: "nodes", data: { id: id, groupType: t, short: members[t].length + " × " + t + " (collapse)",
                        full: members[t].length + " nodes of type " + t + ": click the frame to collapse them" }, classes: "group" });
      cy.collection(members[t]).move({ parent: id });
    });
  }

  function draw() {
    var shown = filtered();
    var grouped = shown.nodes.length > config.groupAt;
    if (collapsed === null) {
      collapsed = {};
      if (grouped) {
        var count = {};
        shown.nodes.forEach(function (n) { count[n.data.type] = (count[n.data.type] || 0) + 1; });
        Object.keys(count).forEach(function (t) { if (count[t] > COLLAPSE_AT) collapsed[t] = true; });
      }
    }
    var view = collapse(shown, grouped ? collapsed : {});
    cy.elements().remove();
    cy.add(view.nodes.map(function (n) { return { group: "nodes", data: n.data, classes: n.classes }; }));
    cy.add(view.edges.map(function (e) { return { group: "edges", data: e.data, classes: e.classes || "" }; }));
    layout();
    group(grouped);
    cy.fit(undefined, 24);
    if (cy.zoom() > 1.2) { cy.zoom(1.2); cy.center(); } // a small graph is not blown up
    container.setAttribute("data-grouped", grouped ? "true" : "false");

    var present = {};
    shown.nodes.forEach(function (n) { present[n.data.type] = true; });
    document.querySelectorAll("#legend li").forEach(function (li) {
      li.classList.toggle("absent", !present[li.getAttribute("data-type")]);
    });
    table(shown);
    var nCollapsed = cy.nodes(".summary").length;
    setStatus(shown.nodes.length + " nodes, " + shown.edges.length + " edges" +
              (grouped ? " (grouped by type" + (nCollapsed ? ", " + nCollapsed + " collapsed" : "") + ")" : ""));
    container.setAttribute("data-state", "ready");
  }

  /* -- the table alternative and the quote panel ------------------------------------------------------ */

  var byId = {};

  function nodeLink(id) {
    var n = byId[id] || { label: id };
    var href = docHref(n.iri);
    var el = document.createElement(href ? "a" : "span");
    if (href) el.setAttribute("href", href);
    el.textContent = n.label || id;
    return el;
  }

  function relationName(d) {
    return d.role ? ((roleStyle[d.role] || {}).label || d.role) : (d.label || d.relation || "");
  }

  function citationBlock(c) {
    var fig = document.createElement("figure");
    fig.className = "citation";
    var q = document.createElement("blockquote");
    q.textContent = c.quote;
    var cap = document.createElement("figcaption");
    var doc = c.document || {};
    var href = docHref(doc.iri);
    var a = document.createElement(href ? "a" : "span");
    if (href) a.setAttribute("href", href);
    a.textContent = doc.label || doc.id || "";
    cap.appendChild(a);
    cap.appendChild(document.createTextNode(", " + (c.locatorText || c.locator)));
    fig.appendChild(q);
    fig.appendChild(cap);
    return fig;
  }

  function table(shown) {
    tableBody.textContent = "";
    shown.edges.forEach(function (e) {
      var d = e.data;
      var tr = document.createElement("tr");
      tr.setAttribute("data-source", d.source);
      tr.setAttribute("data-target", d.target);
      tr.setAttribute("data-relation", d.role || d.relation || "");
      var show = document.createElement("button");
      show.type = "button";
      show.className = "as-link";
      show.textContent = relationName(d);
      show.title = "Show this link's source beside the graph";
      show.addEventListener("click", function () { showRow(d); });
      var cells = [nodeLink(d.source), show, nodeLink(d.target)];
      cells.forEach(function (c) { var td = document.createElement("td"); td.appendChild(c); tr.appendChild(td); });
      var quote = document.createElement("td");
      (d.citations || []).forEach(function (c) { quote.appendChild(citationBlock(c)); });
      if (!(d.citations || []).length) quote.textContent = "—";
      tr.appendChild(quote);
      tableBody.appendChild(tr);
    });
    edgeCount.textContent = String(shown.edges.length);
  }

  /* A table row's link: selected in the graph (or its collapsed group's link) and its quotes shown. */
  function showRow(d) {
    var kind = d.role || d.relation;
    var edge = cy.edges().filter(function (e) {
      var members = e.data("members") || [e.data()];
      return members.some(function (m) {
        return m.source === d.source && m.target === d.target && (m.role || m.relation) === kind;
      });
    })[0];
    cy.edges().unselect();
    if (edge) {
      edge.select();
      showEdge(edge);
    } else { // both ends in one collapsed group: the link is not drawn, its quotes are still shown
      showLink(d, null, "This link joins two nodes of a collapsed group, so it is not drawn: expand the group to see it.");
    }
    panel.focus();
  }

  function showEdge(edge) {
    showLink(edge.data(), edge.id());
  }

  /* The panel for a link's data `d` (a drawn edge's, with its id, or a table row's with a note). */
  function showLink(d, id, note) {
    panel.textContent = "";
    var h = document.createElement("h3");
    h.id = "edge-panel-title";
    h.textContent = "Source of a link";
    panel.appendChild(h);
    var p = document.createElement("p");
    p.className = "edge-what";
    var members = d.members || [d];
    var what = [nodeLink(members[0].source), document.createTextNode(" — " + relationName(d) + " → "),
                nodeLink(members[0].target)];
    if (d.members) what = [document.createTextNode(d.count + " links “" + relationName(d) + "” merged into a collapsed group:")];
    what.forEach(function (el) { p.appendChild(el); });
    panel.appendChild(p);
    if (note) {
      var why = document.createElement("p");
      why.className = "hint";
      why.textContent = note;
      panel.appendChild(why);
    }
    var cites = 0;
    members.forEach(function (m) {
      if (d.members) {
        var line = document.createElement("p");
        line.className = "edge-member";
        [nodeLink(m.source), document.createTextNode(" → "), nodeLink(m.target)].forEach(function (el) { line.appendChild(el); });
        panel.appendChild(line);
      }
      (m.citations || []).forEach(function (c) { panel.appendChild(citationBlock(c)); cites += 1; });
    });
    if (!cites) {
      var none = document.createElement("p");
      none.className = "hint";
      none.textContent = "No quote is attached to this link itself; its source's page lists the quotes about it.";
      panel.appendChild(none);
    }
    if (id) panel.setAttribute("data-edge", id);
    else panel.removeAttribute("data-edge");
  }

  /* -- loading and events ------------------------------------------------------------------------------ */

  function load() {
    container.setAttribute("data-state", "loading");
    setStatus("Loading…");
    var params = pageFilters();
    document.querySelectorAll("a.export").forEach(function (a) {
      a.setAttribute("href", config.prefix + "/api/export/" + a.getAttribute("data-format") + "?" + params);
    });
    return fetch(config.prefix + "/api/export/cytoscape?" + serverFilters(), { headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) throw new Error(body.error || "HTTP " + r.status);
          return body;
        });
      })
      .then(function (data) {
        full = { nodes: data.elements.nodes || [], edges: data.elements.edges || [] };
        byId = {};
        full.nodes.forEach(function (n) { byId[n.data.id] = n.data; });
        collapsed = null;
        draw();
      })
      .catch(function (err) {
        container.setAttribute("data-state", "error");
        setStatus("Could not load the graph: " + err.message, true);
      });
  }

  cy.on("tap", "node", function (evt) {
    var n = evt.target;
    if (n.hasClass("ghost")) return;
    if (n.hasClass("group")) { collapsed[n.data("groupType")] = true; draw(); return; }
    if (n.hasClass("summary")) { delete collapsed[n.data("type")]; draw(); return; }
    var href = docHref(n.data("iri"));
    if (href) window.location.assign(href);
  });
  cy.on("tap", "edge", function (evt) { showEdge(evt.target); });
  cy.on("mouseover", "node, edge", function (evt) {
    container.style.cursor = "pointer";
    var el = evt.target;
    var text = el.isNode() ? el.data("full") || (el.data("label") || "") + " (" + el.data("type") + ")"
                           : relationName(el.data()) + " — click for its quote";
    tip.textContent = text;
    var p = evt.renderedPosition || el.renderedPosition();
    tip.style.left = Math.round(p.x + 12) + "px";
    tip.style.top = Math.round(p.y + 12) + "px";
    tip.hidden = false;
  });
  cy.on("mouseout", "node, edge", function () { container.style.cursor = ""; tip.hidden = true; });

  /* Depth and jurisdiction re-query; roles filter in place. The address bar stays shareable. */
  form.addEventListener("change", function (evt) {
    if (evt.target.name === "focus") return;
    window.history.replaceState(null, "", config.prefix + "/graph?" + pageFilters());
    if (evt.target.name === "roles") {
      document.querySelectorAll("a.export").forEach(function (a) {
        a.setAttribute("href", config.prefix + "/api/export/" + a.getAttribute("data-format") + "?" + pageFilters());
      });
      collapsed = null;
      draw();
    } else {
      load();
    }
  });

  load();
})();
