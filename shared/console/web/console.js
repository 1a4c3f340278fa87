// keycare console: small improvements only; every page works without it.
(function () {
  'use strict';
  // A form posts once: its button shows that it is on its way.
  document.addEventListener('submit', function (e) {
    var f = e.target, b = f.querySelector('button[type=submit]');
    if (f.dataset.sent) { e.preventDefault(); return; }
    f.dataset.sent = '1';
    if (b) { b.disabled = true; b.setAttribute('aria-busy', 'true'); }
  });
  // After a failed post, take the reader to what is wrong.
  var s = document.getElementById('error-summary');
  if (s) { s.focus(); }
  // Open the step form that holds an error.
  var bad = document.querySelector('details.step [aria-invalid=true]');
  if (bad) { bad.closest('details').open = true; }
})();
// Coming back to a page (the browser's back button), its forms work again.
window.addEventListener('pageshow', function () {
  document.querySelectorAll('form[data-sent]').forEach(function (f) {
    delete f.dataset.sent;
    var b = f.querySelector('button[type=submit]');
    if (b) { b.disabled = false; b.removeAttribute('aria-busy'); }
  });
});
