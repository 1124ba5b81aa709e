// MathJax 2 for the formgrader, from the decks' npm copy (tools/grading/formgrader.py serves it
// and points the submission page here instead of at a CDN). The page's policy forbids eval, which
// MathJax would need to run the page's inline configuration: that block is marked done and the
// same settings are given here; the formgrader's scripts expect MathJax 2 (MathJax.Hub).
(function () {
  window.MathJax = {
    tex2jax: {inlineMath: [['$', '$'], ['\\(', '\\)']], displayMath: [['$$', '$$'], ['\\[', '\\]']],
              processEscapes: true, processEnvironments: true},
    TeX: {equationNumbers: {autoNumber: 'AMS', useLabelIds: true}},
    displayAlign: 'center',
    messageStyle: 'none',
    CommonHTML: {linebreaks: {automatic: true}},
    delayStartupUntil: 'configured',
  };
  var mathjax = document.currentScript.src.replace(/static\/formgrader-mathjax\.js.*$/, 'mathjax2/MathJax.js');
  document.write('<script src="' + mathjax + '?config=TeX-AMS_CHTML-full,Safe"><\/script>');
  document.addEventListener('DOMContentLoaded', function () {
    var scripts = document.querySelectorAll('script[type="text/x-mathjax-config"]');
    for (var i = 0; i < scripts.length; i++) scripts[i].type += ';executed=true';
    MathJax.Hub.Configured();
  });
})();
