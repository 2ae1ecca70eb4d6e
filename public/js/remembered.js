// What the browser remembers for the page: the name last joined with (localStorage, shared by every tab).

const NAME_KEY = "messenger-room:name";

/** @param {string} name */
export function rememberName(name) {
  try {
    localStorage.setItem(NAME_KEY, name);
  } catch {
    // Storage can be off (private mode, policy): the name is simply not remembered.
  }
}

/** @returns {string} the remembered name, or "" */
export function recallName() {
  try {
    return localStorage.getItem(NAME_KEY) ?? "";
  } catch {
    return ""; // no storage: nothing remembered
  }
}
