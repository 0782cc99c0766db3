// 填写项目指标: choosing an answer that other questions depend on (投资主体, 项目类型, 是否新增用地) saves the
// draft at once, so the questions that now apply appear without the filer looking for the save button.
// Without JavaScript the page works the same by pressing 保存草稿.
(function () {
  "use strict";
  var form = document.querySelector("form[data-filing-wizard]");
  if (!form) { return; }
  var draft = form.querySelector('button[name="action"][value="draft"]');
  form.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.hasAttribute || !input.hasAttribute("data-repost")) { return; }
    form.elements.changed.value = input.name;
    form.setAttribute("aria-busy", "true");
    if (form.requestSubmit && draft) {
      form.requestSubmit(draft);
    } else {
      form.submit(); // no submitter: the server treats it as 保存草稿
    }
  });
})();
