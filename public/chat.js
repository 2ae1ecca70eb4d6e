// Entry module of the chat page (loaded with <script type="module" src="/chat.js">; no inline script).
import { startApp } from "./js/app.js";

// Evaluating the modules and starting the page are two tasks, not one: on a phone's CPU each alone stays near
// the 50 ms that counts as blocking input, together they did not (docs/performance.md, Lighthouse).
await new Promise((resolve) => setTimeout(resolve, 0));
startApp(document);
