// Micro-benchmark of resolveMentions (issue 13): the time a message containing "@" adds to send_message,
// from a small room to 1,000 present names, and the worst cases a sender could write on purpose.
//   node --import tsx bench/mentions-resolve.ts
// Messages without "@" never call it (the controller checks first), so they cost nothing here.
import { resolveMentions } from "../src/chat/mentions.js";

function measure(label: string, messages: string[], present: string[], rounds: number): void {
  for (const m of messages) resolveMentions(m, present); // warm up (JIT, key cache)
  const started = performance.now();
  for (let i = 0; i < rounds; i++) resolveMentions(messages[i % messages.length] as string, present);
  const micros = ((performance.now() - started) / rounds) * 1000;
  console.log(`${label.padEnd(58)} ${micros.toFixed(1).padStart(8)} µs/message`);
}

const members = (n: number): string[] => Array.from({ length: n }, (_, i) => `member${String(i).padStart(4, "0")}`);
const room1000 = members(1000);
const startingWithA = Array.from({ length: 1000 }, (_, i) => `a${i}`);
let codePoint = 0x4e00;
const freshCjk = (): string => String.fromCodePoint(codePoint > 0x9fff ? (codePoint = 0x4e00) : codePoint++);

measure("one mention, 10 present", ["hey @member0003 did you see this? lunch at noon"], members(10), 20_000);
measure("one mention, 1,000 present", ["hey @member0003 did you see this? lunch at noon"], room1000, 5_000);
measure("500 characters, 3 mentions, 1,000 present", [("@member0001 @member0500 @member0999 " + "lorem ipsum ".repeat(50)).slice(0, 500)], room1000, 5_000);
measure("worst: 166 x '@a ', 1,000 names starting with a", ["@a ".repeat(166)], startingWithA, 500);
measure("worst: 500 characters never seen before, after one @", Array.from({ length: 200 }, () => "@" + Array.from({ length: 499 }, freshCjk).join("")), room1000, 2_000);
