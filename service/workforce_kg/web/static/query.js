/* The query page: editor, example library, run, results table, downloads, shareable link.
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
        extraKeys: { "Ctrl-Enter": run, "Cmd-Enter": run },
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
    return iri.startsWith(BASE + "/") ? iri.slice(BASE.length) : null;
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

  function termCell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const path = localPath(term.value);
      if (!path && !/^https?:\/\//i.test(term.value)) {
        // only http(s) IRIs become links (never javascript:, data: ...): others are shown as text
        const span = document.createElement("span");
        span.className = "iri";
        span.title = term.value;
        span.textContent = compact(term.value);
        td.appendChild(span);
        return td;
      }
      const a = document.createElement("a");
      a.href = path || term.value;
      a.title = term.value;
      a.textContent = compact(term.value);
      if (!path) {
        a.rel = "noopener noreferrer";
        a.className = "external";
      }
      td.appendChild(a);
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
      td.className = "bnode";
    } else {
      const span = document.createElement("span");
      span.className = "value";
      span.textContent = term.value;
      td.appendChild(span);
      if (term["xml:lang"]) {
        const lang = document.createElement("span");
        lang.className = "lang";
        lang.textContent = "@" + term["xml:lang"];
        td.appendChild(lang);
      }
      if (term.datatype) {
        td.title = compact(term.datatype);
        if (NUMERIC.includes(term.datatype)) td.className = "num";
      }
    }
    return td;
  }

  // -- Results ------------------------------------------------------------------------------

  function renderTable(data) {
    const box = $("results");
    box.replaceChildren();
    if ("boolean" in data) {
      const p = document.createElement("p");
      p.className = "boolean";
      p.textContent = data.boolean ? "true" : "false";
      box.appendChild(p);
      return "ASK: " + data.boolean;
    }
    const vars = data.head.vars;
    const rows = data.results.bindings;
    const table = document.createElement("table");
    table.id = "results-table";
    const head = table.createTHead().insertRow();
    for (const v of vars) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = v;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const binding of rows.slice(0, MAX_SHOWN)) {
      const tr = body.insertRow();
      for (const v of vars) tr.appendChild(termCell(binding[v]));
    }
    box.appendChild(table);
    const n = rows.length;
    let text = n + (n === 1 ? " row" : " rows");
    if (n > MAX_SHOWN) text += ` (showing the first ${MAX_SHOWN}; download for all)`;
    return text;
  }

  function renderGraph(text) {
    const pre = document.createElement("pre");
    pre.className = "graph";
    pre.textContent = text;
    $("results").replaceChildren(pre);
    return "graph result (Turtle)";
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

  async function run() {
    const query = editor.get();
    setUrl(query);
    showStatus("Running…", "busy");
    $("run").disabled = true;
    const started = performance.now();
    try {
      const response = await post(query, RESULTS_JSON + ", text/turtle;q=0.9");
      if (!response.ok) {
        showStatus(`Error ${response.status}: ${await errorMessage(response)}`, "error");
        $("results").replaceChildren();
        setDownloads(null);
        last = null;
        return;
      }
      const type = (response.headers.get("content-type") || "").split(";")[0].trim();
      const kind = type === RESULTS_JSON ? "results" : "graph";
      const text = await response.text();
      let summary = kind === "results" ? renderTable(JSON.parse(text)) : renderGraph(text);
      summary += ` in ${Math.round(performance.now() - started)} ms`;
      if (response.headers.get("X-Result-Truncated") === "true") summary += " — cut at the server's row limit";
      showStatus(summary);
      last = { query: query, kind: kind };
      setDownloads(kind);
    } catch (err) {
      showStatus("The server could not be reached: " + err.message, "error");
    } finally {
      $("run").disabled = false;
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

  // -- Shareable URL ------------------------------------------------------------------------

  function shareUrl(query) {
    return location.origin + location.pathname + "?query=" + encodeURIComponent(query);
  }

  function setUrl(query) {
    history.replaceState(null, "", shareUrl(query));
  }

  /** The query in the address (?query= or #query=), if any. */
  function queryFromUrl() {
    const fromSearch = new URLSearchParams(location.search).get("query");
    if (fromSearch) return fromSearch;
    return new URLSearchParams(location.hash.slice(1)).get("query");
  }

  async function share() {
    const url = shareUrl(editor.get());
    setUrl(editor.get());
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
    editor.set(ex.sparql);
    setUrl(ex.sparql);
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

  editor = createEditor($("editor"), queryFromUrl() || config.initialQuery);
  $("run").addEventListener("click", run);
  $("download-csv").addEventListener("click", () => download("csv"));
  $("download-json").addEventListener("click", () => download("json"));
  $("share").addEventListener("click", share);
  $("example-search").addEventListener("input", renderExamples);
  loadExamples();
})();
