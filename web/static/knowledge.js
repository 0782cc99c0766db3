// 复制链接: copies an article's or section's address (with its #anchor) to the clipboard.
(function () {
  function done(link, text) {
    var old = link.textContent;
    link.textContent = text;
    setTimeout(function () { link.textContent = old; }, 1500);
  }
  document.addEventListener('click', function (event) {
    var link = event.target.closest('[data-copy-link]');
    if (!link) { return; }
    event.preventDefault();
    var url = location.origin + location.pathname + link.getAttribute('href');
    history.replaceState(null, '', link.getAttribute('href'));
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(function () { done(link, '已复制'); },
        function () { window.prompt('请复制以下链接', url); });
    } else {
      window.prompt('请复制以下链接', url);
    }
  });
})();

// 政务百科 tooltips: keep an explanation inside the window when its term sits near the right edge.
(function () {
  function place(event) {
    var term = event.target.closest && event.target.closest('.term');
    var tip = term && term.querySelector('.tip');
    if (!tip || window.matchMedia('(max-width: 640px)').matches) { return; }
    tip.style.left = '';
    var over = tip.getBoundingClientRect().right - (document.documentElement.clientWidth - 8);
    if (over > 0) {
      tip.style.left = -Math.min(over, Math.max(0, term.getBoundingClientRect().left - 8)) + 'px';
    }
  }
  document.addEventListener('mouseover', place);
  document.addEventListener('focusin', place);
})();
