// 带出以往信息: fills the applicant fields and offers earlier materials / e-licences for reuse (same-origin API).
(function () {
  "use strict";
  var button = document.getElementById("prefill");
  if (!button) { return; }
  var form = button.form;
  var status = document.getElementById("prefill-status");
  function show(text) { status.textContent = text; }
  function query() {
    var kind = form.elements.kind.value;
    var id = form.elements.id_number.value.trim();
    return "kind=" + encodeURIComponent(kind) + "&id_number=" + encodeURIComponent(id);
  }
  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error(body && body.error ? body.error.message : "查询失败"); }
        return body;
      });
    });
  }
  function addOption(select, value, text) {
    var option = document.createElement("option");
    option.value = value;
    option.textContent = text;
    select.appendChild(option);
  }
  button.addEventListener("click", function () {
    if (!form.elements.id_number.value.trim()) { show("请先填写证件号码"); return; }
    show("正在查询……");
    var note = "";
    fetchJson("/api/v1/applicants/prefill?" + query()).then(function (data) {
      if (!data) { show("未找到您以往以该证件号申报的信息"); return null; }
      ["name", "phone", "address", "legal_representative", "contact_name"].forEach(function (key) {
        if (!form.elements[key] || !data[key]) { return; }
        // a window look-up shows phone and address masked: ask the applicant rather than fill in stars
        if (data[key].indexOf("*") >= 0) { note = "；电话、地址已隐去部分，请向申请人核对后填写"; form.elements[key].placeholder = data[key]; return; }
        form.elements[key].value = data[key];
      });
      return fetchJson("/api/v1/applicants/reusable?" + query());
    }).then(function (reusable) {
      if (!reusable) { return; }
      var count = 0;
      document.querySelectorAll("select[data-material]").forEach(function (select) {
        // offer only what fits this material: its own earlier uploads (same material, or a material of the
        // same name in another item) and the e-licences the guide names for it (材料目录的证照名称)
        var materialIds = select.getAttribute("data-material").split(" ").map(Number);
        var name = select.getAttribute("data-name");
        var licenceName = select.getAttribute("data-licence");
        var kept = select.value;
        while (select.options.length > 1) { select.remove(1); }
        reusable.history.forEach(function (m) {
          if (materialIds.indexOf(m.item_material_id) >= 0 || m.name === name) {
            addOption(select, "h:" + m.id, "历史材料：" + m.name + (m.file_name ? "（" + m.file_name + "）" : ""));
            count += 1;
          }
        });
        reusable.licences.forEach(function (l) {
          if (licenceName && l.name === licenceName) {
            addOption(select, "l:" + l.id, "电子证照：" + l.name + "（" + l.licence_no + "）");
            count += 1;
          }
        });
        select.value = kept;
        if (select.value !== kept) { select.value = ""; }
      });
      show("已带出以往信息" + (count ? "，可在材料中选用历史材料或电子证照" : "") + note);
    }).catch(function (error) { show(error.message); });
  });
})();
