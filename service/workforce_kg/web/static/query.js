/* The query page: editor, example library, run, results as a table, bar chart or graph, downloads,
   shareable links that run their query, Back that shows the previous query's results.
   Plain script, no build step; the editor is YASQE (window.Yasqe) when installed, a textarea otherwise. */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("kg-config").textContent);
  const BASE = config.base.replace(/\/$/, "");
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const NUMERIC = ["integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger"].map((t) => XSD + t);
  const MAX_SHOWN = 1000;
  const RESULTS_JSON = "application/sparql-results+json";
  // What a download asks the endpoint for, by kind of result (SELECT/ASK or CONSTRUCT/DESCRIBE).
  const DOWNLOADS = {
    results: { csv: ["text/csv", "results.csv"], json: [RESULTS_JSON, "results.json"] },
    graph: { json: ["application/ld+json", "results.jsonld"] },
  };

  const $ = (id) => document.getElementById(id);
  let editor;
  let examples = [];
  let last = null; // {query, kind} of the last successful run

  // -- Editor -----------------------------------------------------------------------------

  function createEditor(parent, value) {
    if (window.Yasqe) {
      const yasqe = new window.Yasqe(parent, {
        value: value,
        persistenceId: null, // the URL, not localStorage, carries a query between visits
        showQueryButton: false,
        createShareableLink: null,
        consumeShareLink: null,
        autocompleters: ["variables"], // the others call prefix.cc and LOV over the network
        editorHeight: "400px",
        extraKeys: { "Ctrl-Enter": () => run(), "Cmd-Enter": () => run() },
      });
      // a name for the editor's text box; its scrolling area reachable by keyboard (axe-core)
      yasqe.getInputField().setAttribute("aria-label", "SPARQL query");
      yasqe.getScrollerElement().setAttribute("tabindex", "0");
      return {
        get: () => yasqe.getValue(),
        set: (text) => yasqe.setValue(text),
      };
    }
    const area = document.createElement("textarea");
    area.id = "plain-editor";
    area.setAttribute("aria-label", "SPARQL query");
    area.spellcheck = false;
    area.value = value;
    area.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run();
    });
    parent.appendChild(area);
    showStatus("The syntax-highlighting editor is not installed (run: cd web && npm ci); using a plain text box.", "error");
    return { get: () => area.value, set: (text) => { area.value = text; } };
  }

  // -- Terms: compact names and links -------------------------------------------------------

  /** The local path of an IRI under our base (…/id/organisation/nhse → /id/organisation/nhse), or null. */
  function localPath(iri) {
    if (!iri.startsWith(BASE + "/")) return null;
    const path = iri.slice(BASE.length);
    // "//host/…" or "/\host/…" would leave this server (a protocol-relative link): such an IRI is no local path
    return /^\/[\/\\]/.test(path) ? null : path;
  }

  /** prefix:local for IRIs in a known namespace, else the IRI itself. */
  function compact(iri) {
    let best = null;
    for (const [prefix, ns] of Object.entries(config.prefixes)) {
      if (iri.startsWith(ns) && (!best || ns.length > best[1].length)) best = [prefix, ns];
    }
    if (best) {
      const local = iri.slice(best[1].length);
      if (/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(local) && !local.endsWith(".")) return best[0] + ":" + local;
    }
    return iri;
  }

  /** Where a link to an IRI goes: our own IRIs to their local path (the entity page), other http(s) IRIs
      as they are; anything else (javascript:, data:, urn: ...) is never a link (null). */
  function hrefOf(iri) {
    return localPath(iri) || (/^https?:\/\//i.test(iri) ? iri : null);
  }

  // -- The results as columns: kinds, labels, money ----------------------------------------------
  // One reading of a SELECT result that every view shares (see "The query page" in docs/querying.md):
  // - a column whose values are all IRIs is an IRI column; all numeric literals, a number column;
  // - label first: an IRI column ?x with a column ?xLabel shows the label as the link text (the label
  //   column is folded into it); a column ?label does the same for the first column when that is an
  //   IRI column;
  // - money: a number column whose name says money (amount, cost, budget, spend, price, gbp), or a
  //   ?value / ?<x>Value column whose unit in the same row (?unit/?unitLabel, or ?<x>Unit/?<x>UnitLabel)
  //   is pounds sterling; formatted in the row's ?currency (or ?<col>Currency) when that is a
  //   three-letter code, else in GBP, the graph's currency.

  const MONEY_NAME = /amount|gbp|cost|budget|spend|price/i;
  const CURRENCY_CODE = /^[A-Za-z]{3}$/;

  function isPoundsSterling(term) {
    if (!term) return false;
    if (term.type === "uri") return term.value === BASE + "/def/unit/gbp";
    return /^(gbp|£|pounds? sterling)$/i.test(term.value.trim());
  }

  function kindOf(term) {
    if (term.type === "uri") return "iri";
    return term.type === "literal" && NUMERIC.includes(term.datatype) ? "number" : "text";
  }

  /** The columns of a SELECT result: their kinds, which are shown, their labels and money rule. */
  function describe(data) {
    const vars = data.head.vars;
    const rows = data.results.bindings;
    const byName = new Map(vars.map((v) => [v.toLowerCase(), v]));
    const kinds = {};
    for (const v of vars) {
      let kind = "empty";
      for (const row of rows) {
        if (!row[v]) continue;
        const k = kindOf(row[v]);
        if (kind === "empty") kind = k;
        else if (kind !== k) {
          kind = "mixed";
          break;
        }
      }
      kinds[v] = kind;
    }
    const labelOf = {};
    const folded = new Set();
    const pair = (col, label) => {
      if (label && label !== col && !folded.has(label) && kinds[label] !== "iri" && kinds[label] !== "number") {
        labelOf[col] = label;
        folded.add(label);
      }
    };
    for (const v of vars) if (kinds[v] === "iri") pair(v, byName.get(v.toLowerCase() + "label"));
    if (vars.length && kinds[vars[0]] === "iri" && !labelOf[vars[0]]) pair(vars[0], byName.get("label"));

    const moneyRules = {};
    for (const v of vars) {
      if (kinds[v] !== "number") continue;
      const currency = byName.get(v.toLowerCase() + "currency") || byName.get("currency");
      if (MONEY_NAME.test(v)) {
        moneyRules[v] = { currency: currency };
      } else if (/value$/i.test(v)) {
        const stem = v.slice(0, -5).toLowerCase();
        let units = [stem + "unit", stem + "unitlabel"].map((n) => byName.get(n)).filter(Boolean);
        if (!units.length) units = ["unit", "unitlabel"].map((n) => byName.get(n)).filter(Boolean);
        if (units.length) moneyRules[v] = { units: units, currency: currency };
      }
    }
    /** The currency a cell is in (a code such as "GBP"), or null when it is not money. */
    const currencyOf = (col, row) => {
      const rule = moneyRules[col];
      const term = row[col];
      if (!rule || !term || kindOf(term) !== "number") return null;
      if (rule.units && !rule.units.some((u) => isPoundsSterling(row[u]))) return null;
      const code = rule.currency && row[rule.currency] && row[rule.currency].value.trim();
      return code && CURRENCY_CODE.test(code) ? code.toUpperCase() : "GBP";
    };
    return {
      vars: vars,
      rows: rows,
      kinds: kinds,
      labelOf: labelOf,
      shown: vars.filter((v) => !folded.has(v)),
      currencyOf: currencyOf,
      isMoney: (col) => rows.some((row) => currencyOf(col, row)),
    };
  }

  const moneyFormats = new Map();
  /** An amount as money, e.g. 8000000 in GBP → "£8,000,000" (pence only when there are some). */
  function formatMoney(value, code) {
    const n = Number(value);
    if (!Number.isFinite(n)) return value; // INF, NaN, "lots": shown as stored, never "£NaN"
    const pence = !Number.isInteger(n);
    const key = code + pence;
    if (!moneyFormats.has(key)) {
      try {
        moneyFormats.set(key, new Intl.NumberFormat("en-GB", {
          style: "currency", currency: code, minimumFractionDigits: pence ? 2 : 0, maximumFractionDigits: 2,
        }));
      } catch (e) {
        moneyFormats.set(key, null); // not a currency Intl knows
      }
    }
    const format = moneyFormats.get(key);
    return format && Number.isFinite(n) ? format.format(n) : value;
  }

  /** What a cell shows as text: an IRI's label (or its prefixed name), money formatted, else the value. */
  function displayText(model, col, row) {
    const term = row[col];
    const label = model.labelOf[col] && row[model.labelOf[col]];
    if (!term) return label ? label.value : "";
    if (term.type === "uri") return label ? label.value : compact(term.value);
    if (term.type === "bnode") return "_:" + term.value;
    const code = model.currencyOf(col, row);
    return code ? formatMoney(term.value, code) : term.value;
  }

  function termCell(model, col, row) {
    const td = document.createElement("td");
    const term = row[col];
    const label = model.labelOf[col] && row[model.labelOf[col]];
    if (!term) {
      if (label) td.textContent = label.value; // ?x unbound, ?xLabel bound
      return td;
    }
    if (term.type === "uri") {
      const href = hrefOf(term.value);
      const text = label ? label.value : compact(term.value);
      if (!href) {
        // only http(s) IRIs become links (never javascript:, data: ...): others are shown as text
        const span = document.createElement("span");
        span.className = "iri";
        span.title = term.value;
        span.textContent = text;
        td.appendChild(span);
        return td;
      }
      const a = document.createElement("a");
      a.href = href;
      a.title = label ? compact(term.value) + " — " + term.value : term.value;
      a.textContent = text;
      if (!localPath(term.value)) {
        a.rel = "noopener noreferrer";
        a.className = "external";
      }
      const ranked = (config.ranked || {})[term.value];
      if (ranked) {
        // a value of an ordered scale (a rating): the palette of every page, the value still in words
        const chip = document.createElement("span");
        chip.className = ranked;
        chip.appendChild(a);
        td.appendChild(chip);
      } else {
        td.appendChild(a);
      }
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
      td.className = "bnode";
    } else {
      const span = document.createElement("span");
      span.className = "value";
      const code = model.currencyOf(col, row);
      span.textContent = code ? formatMoney(term.value, code) : term.value;
      td.appendChild(span);
      if (term["xml:lang"]) {
        const lang = document.createElement("span");
        lang.className = "lang";
        lang.textContent = "@" + term["xml:lang"];
        td.appendChild(lang);
      }
      if (term.datatype) {
        td.title = (code ? term.value + " " : "") + compact(term.datatype);
        if (NUMERIC.includes(term.datatype)) td.className = code ? "num money" : "num";
      }
    }
    return td;
  }

  // -- Table view: sortable columns -------------------------------------------------------------

  const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });
  let sort = { col: null, dir: null };

  function sortKey(model, col, row) {
    const term = row[col];
    if (term && kindOf(term) === "number") return Number(term.value);
    return displayText(model, col, row);
  }

  /** The rows in the table's order: by the sorted column (numbers numerically, text by its shown
      label), empty cells last either way, ties in the order the query gave. */
  function sortedRows(model) {
    if (!sort.col) return model.rows;
    const sign = sort.dir === "descending" ? -1 : 1;
    const keyed = model.rows.map((row, i) => [sortKey(model, sort.col, row), i, row]);
    const empty = (k) => k === "" || (typeof k === "number" && Number.isNaN(k));
    keyed.sort((a, b) => {
      const [x, y] = [a[0], b[0]];
      if (empty(x) || empty(y)) return empty(x) === empty(y) ? a[1] - b[1] : empty(x) ? 1 : -1;
      let c;
      if (typeof x === "number" && typeof y === "number") c = x - y;
      else if (typeof x === "number" || typeof y === "number") c = typeof x === "number" ? -1 : 1;
      else c = collator.compare(x, y);
      return sign * c || a[1] - b[1];
    });
    return keyed.map((k) => k[2]);
  }

  function renderTable(model) {
    const table = document.createElement("table");
    table.id = "results-table";
    const head = table.createTHead().insertRow();
    for (const col of model.shown) {
      const th = document.createElement("th");
      th.scope = "col";
      if (sort.col === col) th.setAttribute("aria-sort", sort.dir);
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.dataset.col = col;
      button.textContent = col;
      const mark = document.createElement("span");
      mark.className = "sort-mark";
      mark.setAttribute("aria-hidden", "true");
      mark.textContent = sort.col === col ? (sort.dir === "ascending" ? " ▲" : " ▼") : "";
      button.appendChild(mark);
      if (model.labelOf[col]) th.title = `?${col}, shown by its ?${model.labelOf[col]}`;
      button.addEventListener("click", () => {
        sort = { col: col, dir: sort.col === col && sort.dir === "ascending" ? "descending" : "ascending" };
        render().then(() => {
          const again = document.querySelector(`#results-table button.sort[data-col="${CSS.escape(col)}"]`);
          if (again) again.focus();
        });
      });
      th.appendChild(button);
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const row of sortedRows(model).slice(0, MAX_SHOWN)) {
      const tr = body.insertRow();
      for (const col of model.shown) tr.appendChild(termCell(model, col, row));
    }
    const wrap = document.createElement("div");
    wrap.className = "table-wrap";
    wrap.appendChild(table);
    return wrap;
  }

  // -- Vendor scripts, loaded when a view first needs them -------------------------------------

  const VENDOR = document.currentScript.src.replace(/[^/]*$/, "") + "vendor/";
  const loading = {};
  function loadScript(name) {
    if (!loading[name]) {
      loading[name] = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = VENDOR + name;
        script.onload = resolve;
        script.onerror = () => {
          delete loading[name];
          reject(new Error(`${name} could not be loaded (run: cd web && npm ci)`));
        };
        document.head.appendChild(script);
      });
    }
    return loading[name];
  }

  function note(text, kind) {
    const p = document.createElement("p");
    p.className = "view-note" + (kind ? " " + kind : "");
    p.textContent = text;
    return p;
  }

  // -- Bar chart view (Observable Plot) ------------------------------------------------------------

  const MAX_BARS = 200;
  let chartChoice = { category: null, value: null };

  function labelled(select, text, options, chosen) {
    const label = document.createElement("label");
    label.textContent = text + " ";
    for (const name of options) {
      const option = document.createElement("option");
      option.value = name;
      option.textContent = name;
      option.selected = name === chosen;
      select.appendChild(option);
    }
    label.appendChild(select);
    return label;
  }

  async function renderChart(model) {
    const numbers = model.shown.filter((c) => model.kinds[c] === "number");
    if (!numbers.length) {
      return note("The bar chart needs a column of numbers (a COUNT, an amount, a value): this result has none.");
    }
    const value = numbers.includes(chartChoice.value) ? chartChoice.value : numbers[0];
    const texty = (c) => c !== value && (model.labelOf[c] || model.kinds[c] === "text" || model.kinds[c] === "mixed");
    const category = model.shown.includes(chartChoice.category) && chartChoice.category !== value
      ? chartChoice.category
      : model.shown.find(texty) || model.shown.find((c) => c !== value) || value;
    await loadScript("d3.min.js");
    await loadScript("plot.umd.min.js");

    const box = document.createElement("div");
    const controls = document.createElement("div");
    controls.className = "chart-controls";
    const catSelect = document.createElement("select");
    catSelect.id = "chart-category";
    const valSelect = document.createElement("select");
    valSelect.id = "chart-value";
    controls.append(
      labelled(catSelect, "Bars for", model.shown, category),
      labelled(valSelect, "Length", numbers, value),
    );
    const redraw = () => {
      chartChoice = { category: catSelect.value, value: valSelect.value };
      render();
    };
    catSelect.addEventListener("change", redraw);
    valSelect.addEventListener("change", redraw);
    box.appendChild(controls);

    const rows = sortedRows(model).filter((row) => row[value] && kindOf(row[value]) === "number");
    const names = rows.map((row) => displayText(model, category, row) || "(none)");
    // when names repeat (a funder once per recurrence), the next text column tells the bars apart
    const extra = new Set(names).size < names.length
      ? model.shown.find((c) => c !== category && c !== value && texty(c))
      : null;
    const data = rows.slice(0, MAX_BARS).map((row, i) => ({
      key: String(i),
      label: names[i] + (extra && row[extra] ? " · " + displayText(model, extra, row) : ""),
      value: Number(row[value].value),
      shown: displayText(model, value, row),
    }));
    const tickLabels = new Map(data.map((d) => [d.key, d.label.length > 60 ? d.label.slice(0, 58) + "…" : d.label]));
    const longest = Math.max(...[...tickLabels.values()].map((t) => t.length), 4);
    const money = model.isMoney(value);
    const ticks = new Intl.NumberFormat("en-GB", money
      ? { style: "currency", currency: model.currencyOf(value, rows[0]) || "GBP", notation: "compact" }
      : { notation: "compact" });
    const summary = `Bar chart of ${value} for each ${category}: ${data.length} ${data.length === 1 ? "bar" : "bars"}`;
    const width = Math.max(320, ($("results").clientWidth || 800) - 8);
    const svg = Plot.plot({
      width: width,
      height: 40 + 22 * data.length,
      marginLeft: Math.min(width * 0.45, 12 + 6.4 * longest),
      marginRight: 24,
      style: { fontSize: "12px" },
      x: { grid: true, label: value + " →", tickFormat: (n) => ticks.format(n) },
      y: { label: null, domain: data.map((d) => d.key), tickFormat: (k) => tickLabels.get(k) },
      marks: [
        Plot.barX(data, { x: "value", y: "key", fill: "#005eb8", title: (d) => `${d.label}: ${d.shown}` }),
        Plot.ruleX([0]),
      ],
      ariaLabel: summary,
      ariaDescription: "The Table view shows the same rows.",
    });
    const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
    title.textContent = summary;
    svg.insertBefore(title, svg.firstChild);
    svg.setAttribute("role", "img");
    svg.id = "results-chart";
    const figure = document.createElement("figure");
    figure.className = "chart";
    const caption = document.createElement("figcaption");
    caption.textContent = summary + (rows.length > MAX_BARS ? ` (the first ${MAX_BARS} of ${rows.length} rows)` : "")
      + (rows.length < model.rows.length ? `; ${model.rows.length - rows.length} rows have no ${value}` : "")
      + ". In the table's order; the Table view shows the same rows.";
    figure.append(svg, caption);
    box.appendChild(figure);
    return box;
  }

  // -- Graph view (Cytoscape.js) -------------------------------------------------------------------
  // Nodes are the distinct IRIs of the results. Edges: in a result with columns s, p, o (or subject,
  // predicate, object) each row is an edge s → o labelled by p; otherwise, within each row, each IRI
  // cell is linked to the next IRI cell to its right, the edge labelled by that cell's column.

  const MAX_GRAPH_ROWS = 500; // a force layout of more is slow and unreadable
  const PALETTE = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000"];

  function graphOf(model) {
    const nodes = new Map();
    const edges = new Map();
    const node = (col, row) => {
      const iri = row[col].value;
      const label = model.labelOf[col] && row[model.labelOf[col]];
      const known = nodes.get(iri);
      if (!known) nodes.set(iri, { id: iri, label: label ? label.value : compact(iri), column: col, href: hrefOf(iri) });
      else if (label && known.label === compact(iri)) known.label = label.value;
      return iri;
    };
    const edge = (source, label, target) => {
      const id = source + " " + label + " " + target;
      if (!edges.has(id)) edges.set(id, { id: id, source: source, target: target, label: label });
    };
    const find = (names) => names.map((n) => model.vars.find((v) => v.toLowerCase() === n));
    let [s, p, o] = find(["s", "p", "o"]);
    if (!(s && p && o)) [s, p, o] = find(["subject", "predicate", "object"]);
    const triples = Boolean(s && p && o);
    for (const row of model.rows.slice(0, MAX_GRAPH_ROWS)) {
      const isIri = (col) => row[col] && row[col].type === "uri";
      if (triples) {
        if (!isIri(s)) continue;
        const source = node(s, row);
        if (isIri(o)) edge(source, row[p] ? displayText(model, p, row) : p, node(o, row));
      } else {
        const cols = model.shown.filter(isIri);
        cols.forEach((col, i) => {
          const here = node(col, row);
          if (i > 0) edge(row[cols[i - 1]].value, col, here);
        });
      }
    }
    return { nodes: nodes, edges: edges, triples: triples };
  }

  async function renderGraphView(model) {
    const graph = graphOf(model);
    if (!graph.nodes.size) return note("The graph view draws the IRIs of the results: this result has none.");
    await loadScript("cytoscape.min.js");
    const box = document.createElement("div");
    const columns = [...new Set([...graph.nodes.values()].map((n) => n.column))];
    const colour = (col) => PALETTE[columns.indexOf(col) % PALETTE.length];
    const legend = document.createElement("ul");
    legend.className = "graph-legend";
    for (const col of columns) {
      const li = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = colour(col);
      li.append(swatch, document.createTextNode("?" + col));
      legend.appendChild(li);
    }
    const how = graph.triples
      ? "each row is an edge from ?s to ?o, labelled by ?p"
      : "in each row, an edge goes from each IRI to the next IRI to its right, labelled by that column";
    const rows = model.rows.length > MAX_GRAPH_ROWS ? ` of the first ${MAX_GRAPH_ROWS} rows` : "";
    const summary = `Graph of the results${rows}: ${graph.nodes.size} nodes (the distinct IRIs), ${graph.edges.size} edges`;
    const container = document.createElement("div");
    container.id = "result-graph";
    container.className = "result-graph";
    container.setAttribute("role", "img");
    container.setAttribute("aria-label", summary + ". The Table view lists the same results.");
    box.append(note(`${summary}: ${how}. Colour says which column a node first appears in; click a node to open it.`), legend, container);
    return {
      element: box,
      after: () => {
        const cy = window.cytoscape({
          container: container,
          elements: [
            ...[...graph.nodes.values()].map((n) => ({ data: { ...n, colour: colour(n.column) } })),
            ...[...graph.edges.values()].map((e) => ({ data: e })),
          ],
          minZoom: 0.1,
          maxZoom: 4,
          style: [
            {
              selector: "node",
              style: {
                "background-color": "data(colour)", label: "data(label)", "font-size": 10, width: 20, height: 20,
                "text-wrap": "ellipsis", "text-max-width": 150, "text-valign": "bottom", "text-margin-y": 3,
              },
            },
            {
              selector: "edge",
              style: {
                width: 1.5, "line-color": "#8a93a3", "target-arrow-color": "#8a93a3", "target-arrow-shape": "triangle",
                "curve-style": "bezier", label: "data(label)", "font-size": 8, color: "#5b6475", "text-rotation": "autorotate",
              },
            },
          ],
          layout: { name: graph.nodes.size > 1 ? "cose" : "grid", animate: false, nodeDimensionsIncludeLabels: true },
        });
        cy.on("tap", "node", (e) => {
          const href = e.target.data("href");
          if (href) location.assign(href);
        });
        container.dataset.nodes = String(cy.nodes().length);
        container.dataset.edges = String(cy.edges().length);
        container.dataset.state = "ready";
      },
    };
  }

  // -- Views: which one, and drawing it --------------------------------------------------------------

  const VIEWS = ["table", "chart", "graph"];
  let view = "table";
  let shown = null; // the result on screen: {query, kind, text, truncated, data, model}
  let drawing = 0;

  function viewFromUrl() {
    const name = new URLSearchParams(location.search).get("view") || new URLSearchParams(location.hash.slice(1)).get("view");
    return VIEWS.includes(name) ? name : "table";
  }

  function markView() {
    for (const button of document.querySelectorAll("#views button[data-view]")) {
      button.setAttribute("aria-pressed", String(button.dataset.view === view));
    }
  }

  function chooseView(name) {
    view = VIEWS.includes(name) ? name : "table";
    markView();
    if (shown) history.replaceState(history.state, "", urlFor(shown.query, view));
    render();
  }

  /** Draw the result on screen in the chosen view (SELECT results; ASK and graphs have one view). */
  async function render() {
    const box = $("results");
    const ticket = ++drawing;
    const views = $("views");
    views.hidden = !(shown && shown.model);
    if (!shown) {
      box.replaceChildren();
      return;
    }
    if (shown.kind === "graph") {
      const pre = document.createElement("pre");
      pre.className = "graph";
      pre.textContent = shown.text;
      box.replaceChildren(pre);
      return;
    }
    if (!shown.model) {
      const p = document.createElement("p");
      p.className = "boolean";
      p.textContent = shown.data.boolean ? "true" : "false";
      box.replaceChildren(p);
      return;
    }
    box.dataset.view = view;
    let made;
    try {
      if (view === "chart") made = await renderChart(shown.model);
      else if (view === "graph") made = await renderGraphView(shown.model);
      else made = renderTable(shown.model);
    } catch (err) {
      made = note(`The ${view} view could not be drawn: ${err.message}`, "error");
    }
    if (ticket !== drawing) return; // a newer result or view was asked for meanwhile
    box.replaceChildren(made.element || made);
    if (made.after) made.after();
  }

  function summarise(result) {
    if (result.kind === "graph") return "graph result (Turtle)";
    if (!result.model) return "ASK: " + result.data.boolean;
    const n = result.model.rows.length;
    let text = n + (n === 1 ? " row" : " rows");
    if (n > MAX_SHOWN) text += ` (the table shows the first ${MAX_SHOWN}; download for all)`;
    return text;
  }

  /** Put a result on screen (fresh from the endpoint, or kept from before for Back). */
  function show(result, how) {
    const data = result.kind === "results" ? JSON.parse(result.text) : null;
    shown = { ...result, data: data, model: data && !("boolean" in data) ? describe(data) : null };
    sort = { col: null, dir: null };
    let summary = summarise(shown) + how;
    if (result.truncated) summary += " — cut at the server's row limit";
    showStatus(summary);
    last = { query: result.query, kind: result.kind };
    setDownloads(result.kind);
    return render();
  }

  function clearResults() {
    shown = null;
    last = null;
    setDownloads(null);
    return render();
  }

  function showStatus(text, kind) {
    const status = $("status");
    status.textContent = text;
    status.className = "status" + (kind ? " " + kind : "");
  }

  function setDownloads(kind) {
    const formats = kind ? DOWNLOADS[kind] : {};
    $("download-csv").disabled = !formats.csv;
    $("download-json").disabled = !formats.json;
  }

  // -- Talking to the endpoint --------------------------------------------------------------

  function post(query, accept) {
    return fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: accept },
      body: new URLSearchParams({ query: query }),
    });
  }

  async function errorMessage(response) {
    const text = await response.text();
    try {
      return JSON.parse(text).error || text;
    } catch (e) {
      return text;
    }
  }

  const kept = new Map(); // query text -> its last result, so that Back shows what was there
  const KEEP = 20;
  let running = 0;

  /** Run the editor's query; unless told otherwise, a new query gets a new history entry. */
  async function run(options) {
    const query = editor.get();
    if (!options || options.history !== false) remember(query);
    const ticket = ++running;
    showStatus("Running…", "busy");
    $("run").disabled = true;
    const started = performance.now();
    try {
      const response = await post(query, RESULTS_JSON + ", text/turtle;q=0.9");
      if (ticket !== running) return;
      if (!response.ok) {
        const message = await errorMessage(response);
        if (ticket !== running) return;
        await clearResults();
        showStatus(`Error ${response.status}: ${message}`, "error");
        return;
      }
      const type = (response.headers.get("content-type") || "").split(";")[0].trim();
      const result = {
        query: query,
        kind: type === RESULTS_JSON ? "results" : "graph",
        text: await response.text(),
        truncated: response.headers.get("X-Result-Truncated") === "true",
      };
      if (ticket !== running) return;
      kept.delete(query);
      kept.set(query, result);
      if (kept.size > KEEP) kept.delete(kept.keys().next().value);
      await show(result, ` in ${Math.round(performance.now() - started)} ms`);
    } catch (err) {
      if (ticket === running) showStatus("The server could not be reached: " + err.message, "error");
    } finally {
      if (ticket === running) $("run").disabled = false;
    }
  }

  async function download(format) {
    if (!last || !DOWNLOADS[last.kind][format]) return;
    const [accept, filename] = DOWNLOADS[last.kind][format];
    const response = await post(last.query, accept);
    if (!response.ok) {
      showStatus(`Download failed, error ${response.status}: ${await errorMessage(response)}`, "error");
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // -- The address: shared links and Back --------------------------------------------------------
  // The address carries the query and the view (/query?query=…&view=chart). Opening such a link runs
  // the query; running a different query adds a history entry, so Back returns to the previous query
  // with its results (kept in memory; after a reload, run again).

  function urlFor(query, name) {
    return location.pathname + "?query=" + encodeURIComponent(query) + (name && name !== "table" ? "&view=" + name : "");
  }

  /** The query in the address (?query= or #query=), if any. */
  function queryFromUrl() {
    const fromSearch = new URLSearchParams(location.search).get("query");
    if (fromSearch) return fromSearch;
    return new URLSearchParams(location.hash.slice(1)).get("query");
  }

  /** Put a query in the address: a new history entry when it replaces another query, else in place. */
  function remember(query) {
    const now = queryFromUrl();
    if (now && now !== query) history.pushState({ query: query }, "", urlFor(query, view));
    else history.replaceState({ query: query }, "", urlFor(query, view));
  }

  /** Show what the address says: its query in the editor, its view, its results (kept or run). */
  function restoreFromUrl() {
    const query = queryFromUrl();
    view = viewFromUrl();
    markView();
    editor.set(query || config.initialQuery);
    if (!query) {
      showStatus("");
      return clearResults();
    }
    if (kept.has(query)) return show(kept.get(query), " (as before; Run to refresh)");
    return run({ history: false });
  }

  async function share() {
    const query = editor.get();
    remember(query);
    const url = location.origin + urlFor(query, view);
    const field = $("share-url");
    field.value = url;
    field.hidden = false;
    field.select();
    try {
      await navigator.clipboard.writeText(url);
      showStatus("Link copied to the clipboard.");
    } catch (e) {
      showStatus("Copy the link from the box.");
    }
  }

  // -- Example library ----------------------------------------------------------------------

  function renderExamples() {
    const words = $("example-search").value.toLowerCase().split(/\s+/).filter(Boolean);
    const list = $("example-list");
    list.replaceChildren();
    let shown = 0;
    for (const ex of examples) {
      const haystack = (ex.name + " " + ex.question + " " + ex.sparql).toLowerCase();
      if (!words.every((w) => haystack.includes(w))) continue;
      shown += 1;
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "example";
      button.dataset.name = ex.name;
      const name = document.createElement("span");
      name.className = "example-name";
      name.textContent = ex.name.replace(/_.*/, "");
      const question = document.createElement("span");
      question.className = "example-question";
      question.textContent = ex.question;
      button.append(name, question);
      button.addEventListener("click", () => loadExample(ex));
      li.appendChild(button);
      list.appendChild(li);
    }
    $("example-count").textContent = `${shown} of ${examples.length} questions`;
  }

  function loadExample(ex) {
    editor.set(ex.sparql); // the address changes when it runs (so Back returns to the last result)
    showStatus(`Loaded ${ex.name}. Press Run (or Ctrl+Enter).`);
  }

  async function loadExamples() {
    try {
      const response = await fetch("/api/examples");
      if (!response.ok) throw new Error("error " + response.status);
      examples = await response.json();
      renderExamples();
    } catch (err) {
      $("example-count").textContent = "The examples could not be loaded: " + err.message;
    }
  }

  // -- Start --------------------------------------------------------------------------------

  const opened = queryFromUrl();
  editor = createEditor($("editor"), opened || config.initialQuery);
  view = viewFromUrl();
  markView();
  $("run").addEventListener("click", () => run());
  for (const button of document.querySelectorAll("#views button[data-view]")) {
    button.addEventListener("click", () => chooseView(button.dataset.view));
  }
  window.addEventListener("popstate", () => {
    // a fragment link (the skip link) also pops state: keep the editor's text unless the query changed
    if (queryFromUrl() !== (shown ? shown.query : null)) restoreFromUrl();
    else if (viewFromUrl() !== view) chooseView(viewFromUrl());
  });
  // Back from another page: Chromium usually restores this page whole from its back/forward cache;
  // when it does not (or the results were not there yet), show what the address says.
  window.addEventListener("pageshow", (e) => {
    if (e.persisted && queryFromUrl() !== (shown && shown.query)) restoreFromUrl();
  });
  $("download-csv").addEventListener("click", () => download("csv"));
  $("download-json").addEventListener("click", () => download("json"));
  $("share").addEventListener("click", share);
  $("example-search").addEventListener("input", renderExamples);
  loadExamples();
  if (opened) run(); // a shared link runs its query (and moves a #query= into ?query=)
})();
