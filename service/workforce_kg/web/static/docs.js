/* The API docs page (/docs): Swagger UI, served from npm, over the service's own OpenAPI document.
   A file of its own rather than an inline script, so that the page keeps to script-src 'self'. */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-openapi"),
    dom_id: "#swagger-ui",
    deepLinking: false, // its links sit inside the operations' buttons (nested controls, axe-core)
    validatorUrl: null, // no badge fetched from another host
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
})();
