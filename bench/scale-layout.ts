// Where the scale bench seats its clients (issue 21 §3). "placed": every member of a room on one node, the rooms
// dealt round robin over the nodes. "spread": the members of every room dealt round robin over the nodes (what a
// round-robin balancer does with pages: a room has members on every node). "nginx": every member through the
// documented nginx, which places a page by its room (docs/nginx-cluster.conf): each room on the node nginx picks.
export type Placement = "placed" | "spread" | "nginx";

export interface Seat {
  room: string;
  username: string;
  node: number;
  /** One member per room sends (the first). */
  isSender: boolean;
}

/** @param nodeOf for "nginx": the node nginx sends the room's pages to */
export function seatClients(placement: Placement, nodes: number, rooms: number, members: number, nodeOf?: (room: string) => number): Seat[] {
  if (placement === "nginx" && nodeOf === undefined) throw new Error("the nginx placement needs the node of each room");
  const seats: Seat[] = [];
  for (let r = 0; r < rooms; r++) {
    const room = `${placement}-${r}`;
    for (let m = 0; m < members; m++) {
      const node = placement === "placed" ? r % nodes : placement === "spread" ? (r + m) % nodes : (nodeOf?.(room) ?? 0);
      seats.push({ room, username: `user${m}`, node, isSender: m === 0 });
    }
  }
  return seats;
}

/** How many nodes have a member of `room`: what per-room routing should send each of its messages to. */
export function interestedNodes(seats: readonly Seat[], room: string): number {
  return new Set(seats.filter((s) => s.room === room).map((s) => s.node)).size;
}

/** Mean of interestedNodes over the senders' rooms (every room has one sender). */
export function meanInterestedNodes(seats: readonly Seat[]): number {
  const rooms = [...new Set(seats.map((s) => s.room))];
  return rooms.length === 0 ? 0 : rooms.reduce((sum, room) => sum + interestedNodes(seats, room), 0) / rooms.length;
}
