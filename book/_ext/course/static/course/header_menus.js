// The page header's menus (launch, download) and the back-to-top button, in place of
// pydata-sphinx-theme's bootstrap.js: all of Bootstrap's JavaScript and Popper, 23 KB
// gzip-compressed on every page (a quarter of a text page, issue 27), for these two
// things and tooltips (the buttons' titles, which the browser shows itself).
// book/_ext/course/light_templates/layout.html loads this file instead; the theme's
// stylesheets place the menus (sphinx-book-theme: ".btn.show + .dropdown-menu").
(() => {
  const TOGGLE = '[data-bs-toggle="dropdown"]';
  const menuOf = (button) => button.parentElement.querySelector('.dropdown-menu');
  const items = (button) => Array.from(menuOf(button).querySelectorAll('.dropdown-item'));

  function setOpen(button, open) {
    button.classList.toggle('show', open);
    menuOf(button).classList.toggle('show', open);
    button.setAttribute('aria-expanded', String(open));
  }

  const openToggles = () => Array.from(document.querySelectorAll(`${TOGGLE}[aria-expanded="true"]`));

  document.addEventListener('click', (event) => {
    const button = event.target.closest(TOGGLE);
    openToggles().forEach((other) => other !== button && setOpen(other, false));
    if (button) setOpen(button, button.getAttribute('aria-expanded') !== 'true');
  });

  document.addEventListener('keydown', (event) => {
    const button = openToggles().find((b) => b.parentElement.contains(event.target))
      || (event.target.matches && event.target.matches(TOGGLE) ? event.target : null);
    if (!button) return;
    if (event.key === 'Escape') {
      setOpen(button, false);
      button.focus();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setOpen(button, true);
      const list = items(button);
      const at = list.indexOf(document.activeElement);
      const step = event.key === 'ArrowDown' ? 1 : -1;
      const next = at < 0 ? (step > 0 ? 0 : list.length - 1) : (at + step + list.length) % list.length;
      if (list[next]) list[next].focus();
    }
  });

  // focus moved out of an open menu (Tab past its last item): close it
  document.addEventListener('focusin', (event) => {
    openToggles().forEach((button) => {
      if (!button.parentElement.contains(event.target)) setOpen(button, false);
    });
  });

  // the theme's back-to-top button: shown while scrolling up, once past the header
  let lastY = window.scrollY;
  window.addEventListener('scroll', () => {
    const button = document.getElementById('pst-back-to-top');
    const header = document.querySelector('.bd-header');
    if (button && header) {
      const headerEnd = header.getBoundingClientRect().bottom + window.scrollY;
      button.style.display = lastY > window.scrollY && window.scrollY > headerEnd ? 'block' : 'none';
    }
    lastY = window.scrollY;
  }, { passive: true });
  document.addEventListener('click', (event) => {
    if (event.target.closest('#pst-back-to-top')) window.scrollTo(0, 0);
  });
})();
