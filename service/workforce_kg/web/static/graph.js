/* The graph view: the focus subgraph from /api/export/cytoscape drawn with Cytoscape.js.
   Nodes are coloured by type, edges labelled by role (responsibilities) or relation; a click on a node
   opens its page. Changing depth, jurisdiction or roles re-queries the export in place. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("view-config").textContent);
  var container = document.getElementById("cy");
  var status = document.getElementById("graph-status");
  var form = document.getElementById("graph-controls");
  var GREY = "#b8bfca";

  /* Where a browser on this server reads about an IRI: our /id/ IRIs map to local /doc/ pages. */
  function docHref(iri) {
    var ids = config.base + "/id/";
    if (iri.indexOf(ids) === 0) return config.prefix + "/doc/" + iri.slice(ids.length);
    if (iri.indexOf(config.base + "/") === 0) return config.prefix + iri.slice(config.base.length);
    return /^https?:\/\//i.test(iri) ? iri : null; // never javascript:, data: ...
  }

  function filters() {
    var params = new URLSearchParams();
    params.set("focus", config.focus.iri);
    params.set("depth", form.elements.depth.value);
    if (form.elements.jurisdiction.value) params.set("jurisdiction", form.elements.jurisdiction.value);
    form.querySelectorAll("input[name=roles]:checked").forEach(function (box) {
      params.append("roles", box.value);
    });
    return params;
  }

  function setStatus(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  var cy = cytoscape({
    container: container,
    elements: [],
    minZoom: 0.1,
    maxZoom: 4,
    style: [
      {
        selector: "node",
        style: {
          "background-color": function (n) { return config.typeColours[n.data("type")] || GREY; },
          "label": "data(label)",
          "font-size": 10,
          "text-wrap": "ellipsis",
          "text-max-width": 160,
          "text-valign": "bottom",
          "text-margin-y": 3,
          "width": 22,
          "height": 22,
        },
      },
      {
        selector: "node.focus",
        style: { "width": 38, "height": 38, "border-width": 4, "border-color": "#1d2330", "font-size": 12, "font-weight": "bold" },
      },
      {
        selector: "edge",
        style: {
          "curve-style": "bezier",
          "target-arrow-shape": "triangle",
          "arrow-scale": 0.8,
          "width": function (e) { return e.data("role") ? 2.5 : 1.2; },
          "line-color": function (e) { return config.roleColours[e.data("role")] || GREY; },
          "target-arrow-color": function (e) { return config.roleColours[e.data("role")] || GREY; },
          "label": "data(display)",
          "font-size": 8,
          "min-zoomed-font-size": 6,
          "color": "#5b6475",
          "text-rotation": "autorotate",
          "text-background-color": "#fff",
          "text-background-opacity": 0.8,
          "text-background-padding": 1,
        },
      },
      { selector: "node:active, node:selected", style: { "overlay-opacity": 0.15 } },
    ],
  });
  window.cy = cy;

  /* Concentric rings by distance from the focus, whatever the edge direction; past one hop the
     rings seed a force-directed layout, which spreads the outer ring's clusters. */
  function layout() {
    var root = cy.getElementById(config.focus.node);
    var distance = {};
    var far = 0;
    if (root.nonempty()) {
      cy.elements().bfs({
        roots: root,
        directed: false,
        visit: function (v, e, u, i, depth) { distance[v.id()] = depth; far = Math.max(far, depth); },
      });
    }
    cy.layout({
      name: "concentric",
      animate: false,
      avoidOverlap: true,
      minNodeSpacing: 45,
      concentric: function (n) { return n.id() in distance ? far + 1 - distance[n.id()] : 0; },
      levelWidth: function () { return 1; },
    }).run();
    if (far > 1) {
      cy.layout({ name: "cose", animate: false, randomize: false, nodeRepulsion: function () { return 40000; },
                  idealEdgeLength: function () { return 90; } }).run();
    }
  }

  function show(data) {
    var elements = [];
    (data.elements.nodes || []).forEach(function (n) {
      elements.push({ group: "nodes", data: n.data, classes: n.data.id === config.focus.node ? "focus" : "" });
    });
    (data.elements.edges || []).forEach(function (e) {
      var d = Object.assign({}, e.data, { display: e.data.role || e.data.label || e.data.relation || "" });
      elements.push({ group: "edges", data: d });
    });
    cy.elements().remove();
    cy.add(elements);
    layout();
    var present = {};
    cy.nodes().forEach(function (n) { present[n.data("type")] = true; });
    document.querySelectorAll("#legend li").forEach(function (li) {
      li.classList.toggle("absent", !present[li.getAttribute("data-type")]);
    });
    setStatus(cy.nodes().length + " nodes, " + cy.edges().length + " edges");
    container.setAttribute("data-state", "ready");
  }

  function load() {
    var params = filters();
    container.setAttribute("data-state", "loading");
    setStatus("Loading…");
    document.querySelectorAll("a.export").forEach(function (a) {
      a.setAttribute("href", config.prefix + "/api/export/" + a.getAttribute("data-format") + "?" + params);
    });
    return fetch(config.prefix + "/api/export/cytoscape?" + params, { headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) throw new Error(body.error || "HTTP " + r.status);
          return body;
        });
      })
      .then(show)
      .catch(function (err) {
        container.setAttribute("data-state", "error");
        setStatus("Could not load the graph: " + err.message, true);
      });
  }

  cy.on("tap", "node", function (evt) {
    var href = docHref(evt.target.data("iri"));
    if (href) window.location.assign(href);
  });
  cy.on("mouseover", "node", function () { container.style.cursor = "pointer"; });
  cy.on("mouseout", "node", function () { container.style.cursor = ""; });

  /* Filters re-query in place and keep the address bar shareable; a new focus is a new page. */
  form.addEventListener("change", function (evt) {
    if (evt.target.name === "focus") return;
    var params = filters();
    window.history.replaceState(null, "", config.prefix + "/graph?" + params);
    load();
  });

  load();
})();
