// What /sw.js writes above the worker's code (src/http/app-shell.ts, workerScript).
declare const SHELL: { version: string; files: string[] };
