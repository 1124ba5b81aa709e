// RequireJS paths of the widget modules the course's pages use, all local (the decks' assets),
// so the ipywidgets HTML manager never asks a CDN: ipympl's figures ("jupyter-matplotlib"),
// the explorers' precomputed frames ("anywidget") and the manager's own files (icon fonts).
(function () {
  const vendor = new URL("../slides/assets/", document.currentScript.src).href;
  require.config({
    paths: {
      "jupyter-matplotlib": vendor + "jupyter-matplotlib/index",
      "anywidget": vendor + "anywidget/index",
      // The manager's built-in modules ("@jupyter-widgets/controls", ...) find their icon fonts
      // beside their own URL, so these names must map into its folder too.
      "@jupyter-widgets": vendor + "html-manager",
      "@jupyter-widgets/html-manager/dist": vendor + "html-manager",
    },
  });
})();
