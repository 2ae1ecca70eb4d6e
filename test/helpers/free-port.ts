// Shared by the tests, the benchmark and the soak: each starts real servers as child processes.
import { createServer } from "node:net";

/** Binds port 0 on loopback, reads the port the kernel chose, releases it: the child gets it through PORT. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}
