// Typeset the maths of HTML pages in place, as SVG, so the pages need no script to show it.
// Usage: node typeset.js PAGE.html...   (tools/grading/feedback.py runs it after grading)
// TeX as the course writes it ($...$, $$...$$, \(...\), \[...\]); code, pre and the like are
// skipped. The 'safe' filter drops \href to javascript: and other unsafe TeX from student text.
const fs = require('fs');

require('mathjax').init({
  loader: {load: ['input/tex-full', 'output/svg', 'adaptors/liteDOM', 'ui/safe']},
  tex: {inlineMath: [['$', '$'], ['\\(', '\\)']], processEscapes: true},
  svg: {fontCache: 'global'},
  startup: {typeset: false},
}).then(async (MathJax) => {
  const adaptor = MathJax.startup.adaptor;
  const {TeX} = MathJax._.input.tex_ts;
  const {SVG} = MathJax._.output.svg_ts;
  const handler = MathJax._.ui.safe.SafeHandler.SafeHandler(new MathJax._.handlers.html.HTMLHandler.HTMLHandler(adaptor));
  let failed = 0;
  for (const file of process.argv.slice(2)) {
    try {
      // a new input and output jax for every page: no labels, glyph cache or styles carried
      // over, so a page's bytes do not depend on the pages typeset before it
      const doc = handler.create(fs.readFileSync(file, 'utf8'), {
        InputJax: new TeX({...MathJax.config.tex}), OutputJax: new SVG({...MathJax.config.svg}),
      });
      await MathJax._.mathjax.mathjax.handleRetriesFor(() => doc.render());
      fs.writeFileSync(file, adaptor.doctype(doc.document) + '\n' + adaptor.outerHTML(adaptor.root(doc.document)) + '\n');
    } catch (error) {   // this page keeps its TeX; the others are still typeset
      console.error(`${file}: ${error.message}`);
      failed++;
    }
  }
  process.exitCode = failed ? 1 : 0;
}).catch((error) => {
  console.error(error.stack || String(error));
  process.exit(1);
});
