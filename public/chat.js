// Entry module of the chat page (loaded with <script type="module" src="/chat.js">; no inline script).
import { startApp } from "./js/app.js";

startApp(document);
