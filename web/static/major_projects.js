// 重大项目: on a narrow screen the timeline box opens at today, with the weeks before and after it in view.
document.addEventListener('DOMContentLoaded', () => {
  const box = document.getElementById('timeline');
  const today = box && box.querySelector('.today-label');
  if (!today || box.scrollWidth <= box.clientWidth) { return; }
  const label = box.querySelector('.gantt-label');
  const labelWidth = label ? label.offsetWidth : 0;
  const todayX = today.getBoundingClientRect().left - box.getBoundingClientRect().left + box.scrollLeft;
  const visible = box.clientWidth - labelWidth;
  box.scrollLeft = Math.max(0, todayX - labelWidth - visible / 2);
});
