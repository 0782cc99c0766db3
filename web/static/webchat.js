// 在线咨询: the chat panel on every portal page. Messages go to /channels/webchat/messages (the session
// cookie says who is writing, the session's CSRF token proves the post comes from our page; the panel asks
// /channels/webchat/token for it before the first post, so that the page itself carries no token and can be
// the same for every visitor, cached by nginx); the panel polls
// the same address for the bot's and staff's answers. Buttons send their payload; links (also the web addresses
// inside an answer's text) open in a new tab.
(function () {
  var root = document.getElementById('webchat');
  if (!root) { return; }
  var API = '/channels/webchat/messages';
  var csrf = null;  // a promise of the session's CSRF token, asked for once (again after a refusal)
  var STATES = {bot: '智能客服', waiting: '正在为您转接人工…', human: '人工服务中', closed: '智能客服'};
  var WHO = {bot: '智能客服', staff: '人工客服', system: '系统消息'};
  var lastId = 0, seen = {}, pending = {}, opened = false, loaded = false, sending = 0, timer = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function safeUrl(url) {
    return /^(https?:\/\/|\/(?!\/))/i.test(url || '') ? url : null;
  }

  var toggle = el('button', 'webchat-toggle', '在线咨询');
  toggle.type = 'button';
  toggle.setAttribute('aria-expanded', 'false');
  toggle.setAttribute('aria-controls', 'webchat-panel');
  var dot = el('span', 'dot');
  dot.hidden = true;
  toggle.appendChild(dot);

  var panel = el('section', 'webchat-panel');
  panel.id = 'webchat-panel';
  panel.hidden = true;
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', '在线咨询');
  var head = el('div', 'webchat-head');
  head.appendChild(el('strong', '', '在线咨询'));
  var state = el('span', 'state', STATES.bot);
  head.appendChild(state);
  var close = el('button', 'webchat-close', '×');
  close.type = 'button';
  close.setAttribute('aria-label', '关闭');
  head.appendChild(close);
  var log = el('ol', 'webchat-log');
  log.setAttribute('aria-live', 'polite');
  var form = el('form', 'webchat-form');
  var input = el('textarea');
  input.name = 'text';
  input.rows = 1;
  input.maxLength = 4000;
  input.placeholder = '请输入您的问题';
  input.setAttribute('aria-label', '消息');
  var send = el('button', '', '发送');
  send.type = 'submit';
  form.appendChild(input);
  form.appendChild(send);
  panel.appendChild(head);
  panel.appendChild(log);
  panel.appendChild(form);
  root.appendChild(toggle);
  root.appendChild(panel);
  root.hidden = false;
  dockOnFormsOnPhones();

  // On a phone a floating button always lies over some field of a long form (the right end of 法定代表人 as
  // one scrolls past it). There the button takes its own line under the page's content instead of floating.
  function dockOnFormsOnPhones() {
    var main = document.querySelector('main');
    if (!main || !window.matchMedia('(max-width: 640px)').matches) { return; }
    var fields = main.querySelectorAll('form input:not([type=hidden]):not([type=search]), form select, form textarea');
    if (fields.length < 3) { return; }
    toggle.classList.add('docked');
    main.appendChild(toggle);
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  // Text with its web addresses as links: built from text nodes and <a> elements (never innerHTML), only
  // http(s) addresses become links, and a trailing Chinese full stop or bracket stays outside the link.
  var URL_IN_TEXT = /https?:\/\/[^\s<>"'\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]+/gi;
  function fillText(node, text) {
    node.textContent = '';
    var at = 0, found;
    URL_IN_TEXT.lastIndex = 0;
    while ((found = URL_IN_TEXT.exec(text)) !== null) {
      var url = found[0].replace(/[.,;:!?)\]]+$/, '');
      if (found.index > at) { node.appendChild(document.createTextNode(text.slice(at, found.index))); }
      var a = el('a', '', url);
      a.href = safeUrl(url) || '#';
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      node.appendChild(a);
      at = found.index + url.length;
      URL_IN_TEXT.lastIndex = at;
    }
    if (at < text.length) { node.appendChild(document.createTextNode(text.slice(at))); }
  }

  function bubble(direction, author, text) {
    var item = el('li', direction + ' by-' + author);
    if (direction === 'out' && WHO[author]) { item.appendChild(el('div', 'who', WHO[author])); }
    var body = el('div', 'bubble');
    if (direction === 'out') { fillText(body, text); } else { body.textContent = text; }
    item.appendChild(body);
    log.appendChild(item);
    return item;
  }

  function render(message) {
    var item = bubble(message.direction, message.author, message.text || '');
    var buttons = message.buttons || [], links = (message.links || []).concat(message.files || []);
    if (buttons.length) {
      var choices = el('div', 'webchat-choices');
      buttons.forEach(function (b) {
        var url = /^https?:\/\//i.test(b.payload) ? safeUrl(b.payload) : null;
        if (url) { links.push({title: b.title, url: url}); return; }
        var button = el('button', '', b.title);
        button.type = 'button';
        button.addEventListener('click', function () { post(b.title, b.payload); });
        choices.appendChild(button);
      });
      if (choices.childNodes.length) { item.appendChild(choices); }
    }
    if (links.length) {
      var box = el('div', 'webchat-links');
      links.forEach(function (k) {
        var url = safeUrl(k.url);
        if (!url) { return; }
        var a = el('a', '', k.title || url);
        a.href = url;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        box.appendChild(a);
      });
      item.appendChild(box);
    }
  }

  function apply(data) {
    if (data.status && STATES[data.status]) { state.textContent = STATES[data.status]; }
    var fresh = false;
    (data.messages || []).forEach(function (m) {
      if (seen[m.id]) { return; }
      seen[m.id] = true;
      lastId = Math.max(lastId, m.id);
      if (m.client_id && pending[m.client_id]) {
        // What was stored replaces what was typed: a query password shows as 已隐藏 once the bot has it.
        var typed = pending[m.client_id].querySelector('.bubble');
        if (typed && typeof m.text === 'string' && m.text && typed.textContent !== m.text) { typed.textContent = m.text; }
        pending[m.client_id].classList.remove('pending');
        delete pending[m.client_id];
        return;
      }
      render(m);
      fresh = fresh || m.direction === 'out';
    });
    if (fresh && !opened) { dot.hidden = false; }
    scrollDown();
  }

  function failure(response) {
    return response.json().then(function (body) {
      return (body && body.error && body.error.message) || '发送失败，请稍后再试';
    }, function () { return '发送失败，请稍后再试'; });
  }

  function token() {
    if (!csrf) {
      csrf = fetch(API.replace(/messages$/, 'token'), {credentials: 'same-origin'}).then(function (response) {
        if (!response.ok) { throw new Error('发送失败，请刷新页面后重试'); }
        return response.json();
      }).then(function (data) { return data.csrf_token; });
      csrf.catch(function () { csrf = null; });
    }
    return csrf;
  }

  function post(text, payload) {
    text = (text || '').trim();
    if (!text) { return; }
    var clientId = Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
    pending[clientId] = bubble('in', 'user', text);
    pending[clientId].classList.add('pending');
    var typing = bubble('out', 'bot', '…');
    typing.classList.add('typing');
    scrollDown();
    sending += 1;
    token().then(function (value) {
      return fetch(API, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {'Content-Type': 'application/json', 'X-CSRF-Token': value},
        body: JSON.stringify({text: text, payload: payload || '', client_id: clientId, after: lastId})
      });
    }).then(function (response) {
      if (response.status === 403) { csrf = null; }  // the session ended: the next post asks for a new token
      if (!response.ok) { return failure(response).then(function (message) { throw new Error(message); }); }
      return response.json();
    }).then(apply, function (error) {
      bubble('out', 'system', error.message || '发送失败，请检查网络后重试');
      scrollDown();
    }).then(function () {
      sending -= 1;
      typing.remove();
    });
  }

  function poll() {
    if (sending) { return; }
    fetch(API + '?after=' + lastId, {credentials: 'same-origin'}).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (data) { apply(data); }
      if (!loaded) {
        loaded = true;
        if (!lastId) {
          bubble('out', 'bot', '您好，我是智能客服，可以解答办事问题、查看办事指南、查询办件进度；需要时也可以转人工服务。');
        }
      }
    }).catch(function () {});
  }

  function show(open) {
    opened = open;
    panel.hidden = !open;
    toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    clearInterval(timer);
    if (open) {
      dot.hidden = true;
      poll();
      timer = setInterval(poll, 3000);
      input.focus();
    } else if (lastId) {
      timer = setInterval(poll, 15000);
    }
  }

  toggle.addEventListener('click', function () { show(true); });
  close.addEventListener('click', function () { show(false); });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = '';
    post(text, '');
  });
  input.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event('submit'));
    }
  });
})();

// Admin site: a conversation's transcript refreshes every 5 seconds, so staff see new messages without reloading.
(function () {
  var box = document.getElementById('transcript-box');
  if (!box) { return; }
  setInterval(function () {
    fetch(box.getAttribute('data-src'), {credentials: 'same-origin'}).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      var old = document.getElementById('transcript');
      if (html === null || !old) { return; }
      var probe = document.createElement('div');
      probe.innerHTML = html;
      var fresh = probe.querySelector('#transcript');
      if (fresh && fresh.getAttribute('data-last') !== old.getAttribute('data-last')) { old.replaceWith(fresh); }
    }).catch(function () {});
  }, 5000);
})();
