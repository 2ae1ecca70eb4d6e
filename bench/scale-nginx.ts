// The documented nginx in front of the scale bench's nodes (issue 21 §3, "nginx" placement): docs/nginx-cluster.conf
// with one `server` line per node (test/helpers/nginx.ts), and which node it sends each room's pages to, read from
// the X-Upstream header of an Engine.IO handshake that carries the room's `affinity`, as the page's requests do.
import { answeredBy, startNginx, type Nginx } from "../test/helpers/nginx.js";

/** The page's own module (public/ is plain JavaScript for the browser). */
const { affinityOf } = (await import(new URL("../public/js/room-affinity.js", import.meta.url).href)) as { affinityOf: (room?: string) => string };

export { affinityOf };

export async function startScaleNginx(nodeUrls: readonly string[]): Promise<Nginx> {
  return startNginx(nodeUrls.map((u) => new URL(u).host));
}

/** The index in `nodeUrls` of the node nginx sends `room`'s pages to. */
export async function nodeOfRoom(nginx: Nginx, nodeUrls: readonly string[], room: string): Promise<number> {
  const path = `${nginx.url}/socket.io/?EIO=4&transport=polling&affinity=${affinityOf(room)}`;
  const res = await fetch(path);
  const body = await res.text();
  const upstream = answeredBy(res.headers);
  const index = nodeUrls.findIndex((u) => new URL(u).host === upstream);
  if (res.status !== 200 || index < 0) throw new Error(`nginx sent ${room} to ${upstream ?? "no upstream"} (${res.status})`);
  // Close the session it opened (an Engine.IO close packet, "1"), so it neither counts nor pings during the run.
  const sid = (JSON.parse(body.slice(1)) as { sid: string }).sid;
  const closed = await fetch(`${path}&sid=${sid}`, { method: "POST", body: "1", headers: { "content-type": "text/plain;charset=UTF-8" } });
  await closed.text();
  return index;
}
