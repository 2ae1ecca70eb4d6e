// After the terminal closes (SIGHUP, then EIO on every write), the drain finishes and process.exit(0) runs; then
// Node's own exit (ResetStdio, src/node.cc) puts back the terminal settings it saw at start on each stdio
// descriptor that was a terminal then, and a hung-up terminal refuses: the process died by a signal (SIGSEGV here,
// SIGABRT with other builds) where exit code 0 was meant, so a supervisor saw a crash. Node skips a descriptor that
// was closed or now names another file, so a hung-up one is swapped for /dev/null at exit.
import { closeSync, openSync } from "node:fs";
import { isatty } from "node:tty";

const STDIO = [0, 1, 2] as const;

/** Call once at start (it notes which descriptors are terminals then); acts only when the process exits. */
export function releaseClosedTerminalAtExit(): void {
  const wasTerminal = STDIO.map((fd) => isatty(fd));
  process.once("exit", () => {
    for (const fd of STDIO) {
      // A hung-up terminal answers EIO to the isatty check (tcgetattr), so it is no longer one.
      if (wasTerminal[fd] === true && !isatty(fd)) swapForDevNull(fd);
    }
  });
}

function swapForDevNull(fd: number): void {
  try {
    closeSync(fd);
    const opened = openSync("/dev/null", "r+"); // the lowest free number: fd, unless another thread took it meanwhile
    if (opened !== fd) closeSync(opened); // then fd stays closed, which Node's exit passes over as well
  } catch {
    // Nothing to release: the descriptor was already gone.
  }
}
