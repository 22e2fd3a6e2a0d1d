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
  var root = document.getElementById("redoc");
  Redoc.init(
    root.getAttribute("data-openapi"),
    {
      disableSearch: true, // its search index runs in a Worker made from a blob: URL, which the CSP refuses
      expandResponses: "200",
      hideDownloadButton: false,
      theme: { colors: { primary: { main: "#005eb8" } } },
    },
    root
  );
})();
