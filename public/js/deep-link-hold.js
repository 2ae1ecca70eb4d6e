// A room link hides the home view until the page has chosen between joining at once and "Join as", so the
// form does not flash (chat.css). That choice needs a remembered name: without one the page can only show
// the form, so there is nothing to hide, and a first visit paints the form at once instead of after every
// module has loaded. A classic script in <head>, before the first paint; the CSP allows no inline script.
try {
  if (localStorage.getItem("messenger-room:name")) document.documentElement.setAttribute("data-hold-deep-link", "");
} catch {
  // Storage blocked: no name can be remembered, so nothing is held.
}
