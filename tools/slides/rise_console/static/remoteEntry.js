// coursekit-rise-console: lets ipywidgets (and so ipympl figures) load in jupyterlab-rise's
// slideshow page (/rise/<notebook>), where they otherwise fail (jupyterlab-contrib/rise#119).
//
// Why: the ipywidgets manager (@jupyter-widgets/jupyterlab-manager) takes IConsoleTracker as an
// *optional* service, so its bundle imports @jupyterlab/console from the page's shared modules.
// JupyterLab shares that module; jupyterlab-rise 0.43.1's slideshow app does not, and the
// manager stops with "Shared module @jupyterlab/console doesn't exist in shared scope default".
// A slideshow has no consoles, so a module holding an IConsoleTracker token that no plugin
// provides is all the manager needs there: it then runs without console support, as intended.
//
// How: this is a hand-written module-federation container, the format of every prebuilt
// JupyterLab extension's remoteEntry.js. Both JupyterLab and the slideshow call init(scope)
// with their scope of shared modules before any extension code runs. Where @jupyterlab/console
// is already shared (JupyterLab itself) it adds nothing. The extension has no plugins.
(function () {
  'use strict';
  const NAME = 'coursekit-rise-console';
  const CONSOLE = '@jupyterlab/console';
  // Below any real release, so JupyterLab's own module always wins a version comparison.
  const VERSION = '0.0.0';

  // A shared module's factory, loaded the way webpack's runtime does (entry.get() -> factory).
  async function load(scope, name) {
    const versions = scope[name];
    const entry = versions && versions[Object.keys(versions)[0]];
    if (!entry) throw new Error(`${NAME}: ${name} is not shared on this page`);
    entry.loaded = 1;
    return (await entry.get())();
  }

  const container = {
    provided: false, // true on a page where the stand-in was registered (read by the tests)
    init(scope) {
      if (scope[CONSOLE]) return;
      container.provided = true;
      scope[CONSOLE] = {
        [VERSION]: {
          from: NAME,
          eager: false,
          get: async () => {
            const { Token } = await load(scope, '@lumino/coreutils');
            const IConsoleTracker = new Token(
              '@jupyterlab/console:IConsoleTracker',
              `A console tracker no plugin provides (${NAME}: this page has no consoles).`
            );
            return () => ({ IConsoleTracker });
          }
        }
      };
    },
    get(module) {
      return Promise.reject(new Error(`${NAME} exposes no module (asked for ${module})`));
    }
  };
  window._JUPYTERLAB = window._JUPYTERLAB || {};
  window._JUPYTERLAB[NAME] = container;
})();
