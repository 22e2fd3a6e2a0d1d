/* The API reference page (/redoc): ReDoc, served from npm, over the service's own OpenAPI document.
   A file of its own rather than an inline script, so that the page keeps to script-src 'self'. */
(function () {
  "use strict";
  // ReDoc 2.5 always draws its maker's logo, an image from cdn.redoc.ly, in the side menu (no option
  // turns it off). This page loads nothing from another host (the CSP would refuse it anyway), so an
  // image whose source is on another host gets no source at all; apidocs.css hides it.
  function elsewhere(value) {
    return new URL(String(value), location.href).origin !== location.origin;
  }
  var image = HTMLImageElement.prototype;
  var setAttribute = image.setAttribute;
  image.setAttribute = function (name, value) {
    if (String(name).toLowerCase() === "src" && elsewhere(value)) return undefined;
    return setAttribute.call(this, name, value);
  };
  var src = Object.getOwnPropertyDescriptor(image, "src");
  Object.defineProperty(image, "src", {
    configurable: true,
    enumerable: src.enumerable,
    get: src.get,
    set: function (value) {
      if (!elsewhere(value)) src.set.call(this, value);
    },
  });
  // Names ReDoc leaves out: its media-type menus get one; its side menu's entries keep their visible
  // text as their name (ReDoc names them by the summary alone).
  function name(node) {
    node.querySelectorAll("select:not([aria-label])").forEach(function (select) {
      select.setAttribute("aria-label", "Media type");
    });
    node.querySelectorAll('li[role="menuitem"][aria-label]').forEach(function (item) {
      item.removeAttribute("aria-label");
    });
  }
  var root = document.getElementById("redoc");
  new MutationObserver(function () {
    name(root);
  }).observe(root, { childList: true, subtree: true });
  Redoc.init(
    root.getAttribute("data-openapi"),
    {
      disableSearch: true, // its search index runs in a Worker made from a blob: URL, which the CSP refuses
      expandResponses: "200",
      hideDownloadButton: false,
      // colours with at least 4.5:1 contrast where ReDoc's fall short (axe-core)
      theme: {
        colors: {
          primary: { main: "#005eb8" },
          text: { primary: "#1d2330", secondary: "#4b5563" },
          responses: {
            error: { color: "#b3261e", tabTextColor: "#ff8a80" },
            redirect: { color: "#7a4f00", tabTextColor: "#ffc04d" },
          },
        },
        typography: { code: { color: "#b3261e" } },
      },
    },
    root
  );
})();
